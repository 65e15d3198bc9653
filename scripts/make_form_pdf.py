#!/usr/bin/env python3
"""Writes test/data/forms/filled-form.pdf: a filled-in PDF form, laid out by hand (no library here writes AcroForm
values the way viewers save them). Its page text holds only the labels; the answers are annotations:

- a text field with its value and an appearance stream (what a viewer saves after typing),
- a combo box whose value is an export value ("p7") shown as its option's display text,
- a multi-line text field,
- a password field and a hidden field, whose values must never reach the index,
- a FreeText annotation: text typed onto the page with a viewer's text tool.

Run from the repo root: python3 scripts/make_form_pdf.py
"""
import os

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'data', 'forms', 'filled-form.pdf')

LABELS = [(72, 700, 13, 'Allotment membership application'), (72, 650, 11, 'Name:'), (72, 620, 11, 'Plot wanted:'),
          (72, 590, 11, 'Password:'), (72, 562, 11, 'Notes:')]


def text_ops(items):
    return ''.join(f'BT /F1 {size} Tf {x} {y} Td ({s}) Tj ET\n' for x, y, size, s in items).encode('latin-1')


def stream(data, extra=''):
    return f'<< /Length {len(data)} {extra}>>\nstream\n'.encode() + data + b'\nendstream'


def build():
    objs = {}
    objs[1] = b'<< /Type /Catalog /Pages 2 0 R /AcroForm 20 0 R >>'
    objs[2] = b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>'
    annots = '10 0 R 11 0 R 12 0 R 13 0 R 14 0 R 15 0 R'
    objs[3] = (f'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R '
               f'/Resources << /Font << /F1 5 0 R >> >> /Annots [{annots}] >>').encode()
    objs[4] = stream(text_ops(LABELS))
    objs[5] = b'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>'
    helv = '/DR << /Font << /Helv 5 0 R >> >>'
    # The name field, as a viewer saves it: value and an appearance stream that draws it.
    objs[16] = stream(b'/Tx BMC BT /Helv 11 Tf 2 5 Td (Marta Kowalczyk) Tj ET EMC',
                      '/Type /XObject /Subtype /Form /BBox [0 0 250 20] /Resources << /Font << /Helv 5 0 R >> >> ')
    widget = '/Type /Annot /Subtype /Widget /P 3 0 R /F 4 /DA (/Helv 11 Tf 0 g)'
    objs[10] = f'<< {widget} /FT /Tx /T (name) /Rect [150 645 400 665] /V (Marta Kowalczyk) /AP << /N 16 0 R >> >>'.encode()
    objs[11] = (f'<< {widget} /FT /Ch /Ff 131072 /T (plot) /Rect [150 615 400 635] '
                f'/Opt [[(p7) (Plot 7 by the gate)] [(p9) (Plot 9)]] /V (p7) >>').encode()
    objs[12] = f'<< {widget} /FT /Tx /Ff 8192 /T (password) /Rect [150 585 400 605] /V (hunter2-never-indexed) >>'.encode()
    objs[13] = (f'<< /Type /Annot /Subtype /Widget /P 3 0 R /F 2 /DA (/Helv 11 Tf 0 g) /FT /Tx /T (internal) '
                f'/Rect [420 645 560 665] /V (hidden-value-never-indexed) >>').encode()
    objs[14] = (f'<< {widget} /FT /Tx /Ff 4096 /T (notes) /Rect [150 500 500 575] '
                f'/V (Likes early mornings.\\nHas own tools.) >>').encode()
    objs[15] = (b'<< /Type /Annot /Subtype /FreeText /P 3 0 R /F 4 /Rect [72 400 400 420] '
                b'/Contents (Approved at the March meeting) /DA (/Helv 10 Tf 0 g) >>')
    objs[20] = f'<< /Fields [10 0 R 11 0 R 12 0 R 13 0 R 14 0 R] {helv} /DA (/Helv 0 Tf 0 g) >>'.encode()

    out = bytearray(b'%PDF-1.7\n%\xe2\xe3\xcf\xd3\n')
    offsets = {}
    for n in sorted(objs):
        offsets[n] = len(out)
        out += f'{n} 0 obj\n'.encode() + objs[n] + b'\nendobj\n'
    size = max(objs) + 1
    xref = len(out)
    out += f'xref\n0 {size}\n0000000000 65535 f \n'.encode()
    for n in range(1, size):
        out += (f'{offsets[n]:010d} 00000 n \n' if n in offsets else '0000000000 65535 f \n').encode()
    out += f'trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n'.encode()
    return bytes(out)


if __name__ == '__main__':
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    open(OUT, 'wb').write(build())
    print('written', os.path.abspath(OUT))
