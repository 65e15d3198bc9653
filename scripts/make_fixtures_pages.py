#!/usr/bin/env python3
"""Page-layout fixtures: fixtures/docs/scanned-table.pdf (an image-only page holding a ruled five-row table) and
fixtures/docs/tide-report.pdf (three pages set in two columns, with a full-width title, a running header and
footer on every page, and page numbers), with their expected snippet lists.

Needs reportlab, Pillow and the DejaVu fonts. Run from the repo root: python3 scripts/make_fixtures_pages.py
(make-fixtures.py runs it too).
"""
import io, os, random
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas

OUT = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'docs')
EXPECTED = os.path.join(os.path.dirname(__file__), '..', 'test', 'data', 'expected')
SERIF = '/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf'
SANS = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf'


def expected(name, snippets):
    with open(os.path.join(EXPECTED, name + '.expected.txt'), 'w', encoding='utf-8') as f:
        f.write('\n'.join(snippets) + '\n')


# --- Scanned table: ruled grid, five data rows, a little noise and blur, as a 200 dpi scan ---
ROWS = [
    ('Route', 'Crossing', 'Adult fare'),
    ('Kirkwall - Westray', '85 minutes', '9.40 pounds'),
    ('Kirkwall - Sanday', '80 minutes', '9.10 pounds'),
    ('Kirkwall - Stronsay', '95 minutes', '8.70 pounds'),
    ('Houton - Lyness', '45 minutes', '5.20 pounds'),
    ('Tingwall - Rousay', '30 minutes', '4.60 pounds'),
]


def scanned_table():
    w, h = 1500, 900
    img = Image.new('L', (w, h), 250)
    d = ImageDraw.Draw(img)
    title = ImageFont.truetype(SERIF, 40)
    cell = ImageFont.truetype(SERIF, 32)
    d.text((90, 60), 'Table 1: Ferry fares on the north isles routes', font=title, fill=25)
    cols = [80, 620, 1000, 1420]
    top, row_h = 170, 100
    for i in range(len(ROWS) + 1):
        d.line([(cols[0], top + i * row_h), (cols[-1], top + i * row_h)], fill=40, width=3)
    for x in cols:
        d.line([(x, top), (x, top + len(ROWS) * row_h)], fill=40, width=3)
    for r, row in enumerate(ROWS):
        for c, text in enumerate(row):
            d.text((cols[c] + 22, top + r * row_h + 30), text, font=cell, fill=20)
    rnd = random.Random(11)
    px = img.load()
    for _ in range(4000):
        px[rnd.randrange(w), rnd.randrange(h)] = rnd.choice((110, 150, 190))
    img = img.filter(ImageFilter.GaussianBlur(0.7))
    buf = io.BytesIO()
    img.save(buf, 'PNG', optimize=True)
    buf.seek(0)
    c = rl_canvas.Canvas(os.path.join(OUT, 'scanned-table.pdf'), pagesize=A4, invariant=1)
    width = A4[0] - 72
    c.drawImage(ImageReader(buf), 36, A4[1] - 60 - width * h / w, width=width, height=width * h / w)
    c.showPage()
    c.save()
    expected('scanned-table.pdf', ['Table 1: Ferry fares on the north isles routes'] + [cell for r in ROWS[1:] for cell in r])


# --- Two-column report: full-width title, columns, running header and footer, page numbers ---
LEFT = [
    'Spring tides at the harbour mouth run hardest two days after the new moon, when the ebb reaches four knots.',
    'Small boats leaving on the ebb should keep to the north side of the channel, where the eddy gives shelter.',
    'The old pier gauge reads thirty centimetres low and is kept only as a record of the nineteenth century.',
]
RIGHT = [
    'Neap tides leave the sand bar dry for an hour at low water, and the ferry then waits in the outer anchorage.',
    'Storm surges add up to a metre to the predicted height, so the quay wall is closed when a gale is forecast.',
    'Readings from the new radar gauge are posted on the harbour office board every morning before eight.',
]


def wrap(text, font, size, width):
    words, lines, line = text.split(), [], ''
    for word in words:
        trial = (line + ' ' + word).strip()
        if pdfmetrics.stringWidth(trial, font, size) > width and line:
            lines.append(line)
            line = word
        else:
            line = trial
    return lines + [line]


def column(c, x, y, width, paragraphs, font='DejaVuSerif', size=10.5, leading=14):
    for p in paragraphs:
        for line in wrap(p, font, size, width):
            c.setFont(font, size)
            c.drawString(x, y, line)
            y -= leading
        y -= leading * 0.6
    return y


def tide_report():
    pdfmetrics.registerFont(TTFont('DejaVuSerif', SERIF))
    pdfmetrics.registerFont(TTFont('DejaVuSans', SANS))
    c = rl_canvas.Canvas(os.path.join(OUT, 'tide-report.pdf'), pagesize=A4, invariant=1)
    W, H = A4
    margin, gutter = 56, 24
    colw = (W - 2 * margin - gutter) / 2
    for page in range(1, 4):
        c.setFont('DejaVuSans', 8.5)
        c.drawString(margin, H - 36, 'Harbour Tide Report - Westray Pier Trust')
        c.drawRightString(W - margin, 30, f'Page {page} of 3')
        c.drawString(margin, 30, 'Printed for the harbour users committee')
        y = H - 90
        if page == 1:
            c.setFont('DejaVuSans', 17)
            c.drawString(margin, y, 'Tides and Currents at the Harbour Mouth, Spring Season')
            y -= 40
        tag = lambda ps: [f'Part {page}. {p}' if i == 0 else p for i, p in enumerate(ps)]
        column(c, margin, y, colw, tag(LEFT))
        column(c, margin + colw + gutter, y, colw, tag(RIGHT))
        c.showPage()
    c.save()
    expected('tide-report.pdf', [
        'Tides and Currents at the Harbour Mouth, Spring Season',
        'Part 1. Spring tides at the harbour mouth run hardest two days after the new moon, when the ebb reaches four knots.',
        'Small boats leaving on the ebb should keep to the north side of the channel, where the eddy gives shelter.',
        'Part 3. Neap tides leave the sand bar dry for an hour at low water, and the ferry then waits in the outer anchorage.',
        'Harbour Tide Report - Westray Pier Trust',
    ])


if __name__ == '__main__':
    os.makedirs(OUT, exist_ok=True)
    os.makedirs(EXPECTED, exist_ok=True)
    scanned_table()
    tide_report()
    print('page fixtures written to', os.path.abspath(OUT))
