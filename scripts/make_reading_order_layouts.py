#!/usr/bin/env python3
"""Reading-order test PDFs with layouts the corpus lacks, each with its true text, for bench:reading-order: one
column; two columns (narrow gutter, wide gutter, small type, written in column order, a caption across both); three
columns (with and without a caption across them); four columns; a sidebar of a third beside the main column, on
the left and on the right. Lines are written row by row across the columns unless noted, so reading the content
stream in order interleaves them. Filler text from a fixed seed: the same files every run.

    python3 scripts/make_reading_order_layouts.py /tmp/layouts
    npm run bench:reading-order -- /tmp/layouts --truth-dir /tmp/layouts/t

Needs reportlab and the DejaVu fonts (as make_fixtures_pages.py does).
"""
import os, sys, random
from reportlab.lib.pagesizes import A4, letter
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl
out = sys.argv[1]; truth = os.path.join(out, 't'); os.makedirs(truth, exist_ok=True)
pdfmetrics.registerFont(TTFont('Serif', '/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf'))
pdfmetrics.registerFont(TTFont('SerifB', '/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf'))
WORDS = ("harbour ledger vessel pilot timber anchor tide gale chains crew museum lighthouse channel fog fleet breakwater "
 "cargo hull tonnage inspector winter harbourmaster quay mooring beacon signal rope sail mast keel rudder compass chart "
 "current shoal reef buoy cove estuary dredger tug barge ferry jetty slipway warehouse crane customs manifest").split()
r = random.Random(11)
def para(n):
    s = [];
    for _ in range(n):
        w = [r.choice(WORDS) for _ in range(r.randint(8, 16))]; w[0] = w[0].capitalize(); s.append(' '.join(w) + '.')
    return ' '.join(s)
def wrap(text, font, size, width):
    lines, cur = [], ''
    for w in text.split():
        t = (cur + ' ' + w).strip()
        if pdfmetrics.stringWidth(t, font, size) > width and cur: lines.append(cur); cur = w
        else: cur = t
    if cur: lines.append(cur)
    return lines
def columns_doc(name, ncols, gutter=18, widths=None, span_mid=False, pages=2, size=9.5, title=True, rowwise=True):
    W, H = A4; m = 54; lead = size * 1.3
    c = rl.Canvas(os.path.join(out, name + '.pdf'), pagesize=A4, invariant=1)
    tr = []
    for p in range(pages):
        y_top = H - m
        if title:
            t = f'Harbour Notes Volume {p + 1}'; c.setFont('SerifB', 16); c.drawString(m, y_top - 16, t); tr.append(t); y_top -= 40
        fr = widths or [1 / ncols] * ncols
        total = W - 2 * m - gutter * (ncols - 1)
        xs, ws = [], []; x = m
        for f in fr: xs.append(x); ws.append(total * f); x += total * f + gutter
        nlines = int((y_top - m) / lead)
        def block(y0, nl):
            cols = []
            for i in range(ncols):
                lines = []
                while len(lines) < nl: lines += wrap(para(3), 'Serif', size, ws[i]) + ['']
                cols.append(lines[:nl])
            order = [(k, i) for k in range(nl) for i in range(ncols)] if rowwise else [(k, i) for i in range(ncols) for k in range(nl)]
            c.setFont('Serif', size)
            for k, i in order:
                if cols[i][k]: c.drawString(xs[i], y0 - (k + 1) * lead, cols[i][k])
            for i in range(ncols): tr.append(' '.join(l for l in cols[i] if l))
        if span_mid:
            half = nlines // 2 - 3
            block(y_top, half)
            y = y_top - half * lead - lead
            span = wrap('Figure caption: ' + para(2), 'Serif', size, W - 2 * m)
            c.setFont('Serif', size)
            for k, l in enumerate(span): c.drawString(m, y - (k + 1) * lead, l)
            tr.append(' '.join(span)); y -= (len(span) + 1) * lead
            block(y, int((y - m) / lead))
        else:
            block(y_top, nlines)
        c.showPage()
    c.save()
    open(os.path.join(truth, name + '.pdf.txt'), 'w').write('\n'.join(tr) + '\n')
columns_doc('two-col-narrow-gutter', 2, gutter=10)
columns_doc('two-col-spanning-caption', 2, span_mid=True)
columns_doc('three-col-newsletter', 3, gutter=14, size=8.5)
columns_doc('sidebar-one-third', 2, widths=[0.3, 0.7])
columns_doc('two-col-column-order', 2, rowwise=False)
columns_doc('one-col', 1, size=10.5)
columns_doc('four-col', 4, gutter=12, size=7.5)
columns_doc('three-col-spanning-caption', 3, span_mid=True, size=8.5)
columns_doc('sidebar-right', 2, widths=[0.7, 0.3])
columns_doc('two-col-wide-gutter', 2, gutter=48)
columns_doc('two-col-rowwise-small', 2, gutter=14, size=8)
