#!/usr/bin/env python3
"""Page-layout fixtures: fixtures/docs/scanned-table.pdf (an image-only page holding a ruled five-row table) and
fixtures/docs/tide-report.pdf (three pages of text flowing in two columns, written row by row across them, with a
full-width title, a running header and footer on every page, and page numbers), with their expected snippet lists.

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


# --- Two-column report: full-width title, text flowing down the left column then the right, running header and
# footer, page numbers. Lines are written row by row across both columns (left line, right line, ...), as some
# generators do, so reading the content stream in order interleaves the columns. ---
PAGES = [
    [
        'Spring tides at the harbour mouth run hardest two days after the new moon, when the ebb reaches four knots '
        'and the water over the bar turns brown with sand lifted from the channel floor.',
        'Small boats leaving on the ebb should keep to the north side of the channel, where the eddy gives shelter '
        'and the swell breaks less steeply over the rocks below the old signal station.',
        'The old pier gauge reads thirty centimetres low and is kept only as a record of the nineteenth century, '
        'when the harbour master wrote the height of every tide into a ledger now held by the museum.',
        'Neap tides leave the sand bar dry for an hour at low water, and the ferry then waits in the outer anchorage '
        'until the flood has covered the bar by at least two metres.',
    ],
    [
        'Storm surges add up to a metre to the predicted height, so the quay wall is closed to traffic when a gale '
        'from the south west coincides with a spring tide.',
        'Readings from the new radar gauge are posted on the harbour office board every morning before eight, '
        'together with the forecast for the next three days and any notice to mariners.',
        'Kelp cutters working the skerries at low water must carry a hand radio, because the flood returns across '
        'the flats faster than a person can walk in waders.',
        'Divers inspecting the lifeboat slipway choose the slack water after high tide, which lasts barely twenty '
        'minutes in March and a little longer in midsummer.',
    ],
    [
        'The trust thanks the volunteers who cleared the tide pools of plastic netting, more than two hundred kilos '
        'of it, in a single weekend of bright and windless weather.',
        'Visiting yachts should moor on the inner pontoon, where depth at the lowest astronomical tide is still one '
        'metre and eighty centimetres according to the latest survey.',
        'Next season the committee will publish hourly tidal stream diagrams for the sound, drawn from a year of '
        'current meter records lent by the marine laboratory.',
        'Comments on this report are welcome at the harbour office or at the monthly meeting in the community hall, '
        'held on the first Tuesday of each month.',
    ],
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


def flow(paragraphs, font, size, width):
    """The text as lines; None marks a paragraph gap."""
    out = []
    for p in paragraphs:
        out += wrap(p, font, size, width) + [None]
    return out


def tide_truth(pages):
    """The report's text as docproc should read it (columns in turn, running header and footer once), for
    bench:reading-order --truth-dir test/data/reading-order."""
    out = ['Harbour Tide Report - Westray Pier Trust', 'Tides and Currents at the Harbour Mouth, Spring Season']
    for i, paragraphs in enumerate(pages, 1):
        out += paragraphs
        if i == 1:
            out += ['Printed for the harbour users committee', 'Page 1 of 3']
    truth = os.path.join(os.path.dirname(__file__), '..', 'test', 'data', 'reading-order')
    os.makedirs(truth, exist_ok=True)
    with open(os.path.join(truth, 'tide-report.pdf.txt'), 'w', encoding='utf-8') as f:
        f.write('\n'.join(out) + '\n')


def tide_report():
    pdfmetrics.registerFont(TTFont('DejaVuSerif', SERIF))
    pdfmetrics.registerFont(TTFont('DejaVuSans', SANS))
    c = rl_canvas.Canvas(os.path.join(OUT, 'tide-report.pdf'), pagesize=A4, invariant=1)
    W, H = A4
    margin, gutter, size, leading = 56, 24, 10.5, 14
    colw = (W - 2 * margin - gutter) / 2
    for page in range(1, 4):
        c.setFont('DejaVuSans', 8.5)
        c.drawString(margin, H - 36, 'Harbour Tide Report - Westray Pier Trust')
        y0 = H - 90
        if page == 1:
            c.setFont('DejaVuSans', 17)
            c.drawString(margin, y0, 'Tides and Currents at the Harbour Mouth, Spring Season')
            y0 -= 40
        lines = flow(PAGES[page - 1], 'DejaVuSerif', size, colw)
        half = (len(lines) + 1) // 2
        while half < len(lines) and lines[half] is None:  # the right column starts with text, not a gap
            half += 1
        # Each column keeps its own baseline: paragraph gaps of half a line fall at different heights in the two.
        placed = []
        for x, col in ((margin, lines[:half]), (margin + colw + gutter, lines[half:])):
            y = y0
            for line in col:
                if line is None:
                    y -= leading * 0.5
                    continue
                placed.append((y, x, line))
                y -= leading
        c.setFont('DejaVuSerif', size)
        for y, x, line in sorted(placed, key=lambda t: (-t[0], t[1])):  # row by row across the columns
            c.drawString(x, y, line)
        c.setFont('DejaVuSans', 8.5)
        c.drawString(margin, 30, 'Printed for the harbour users committee')
        c.drawRightString(W - margin, 30, f'Page {page} of 3')
        c.showPage()
    c.save()
    expected('tide-report.pdf', [
        'Harbour Tide Report - Westray Pier Trust',
        'Tides and Currents at the Harbour Mouth, Spring Season',
        PAGES[0][0],
        PAGES[0][1],
        PAGES[0][3],
        PAGES[1][2],
        PAGES[2][1],
        'Printed for the harbour users committee',
    ])
    tide_truth(PAGES)


# --- Three-column newsletter (test/data/reading-order, not a fixture: the quick start's counts stay): a title across
# all three columns, text written row by row across them, and its true text for bench:reading-order. ---
NEWSLETTER = [
    'The lifeboat crew trained twice this month, once at night with the new searchlight and once in a swell off the '
    'point, where the helm practised bringing the boat alongside a drifting dinghy.',
    'Fuel for the pier pumps now comes by road on Thursdays; boats needing diesel at the weekend should fill up on '
    'Friday afternoon, when the harbour office keeps the pumps open until six.',
    'The school visit to the lighthouse has been moved to the last week of term, so the pupils can watch the keepers '
    'lower the old lens for its annual cleaning and polishing.',
]


def newsletter():
    c = rl_canvas.Canvas(os.path.join(os.path.dirname(__file__), '..', 'test', 'data', 'reading-order', 'newsletter-3col.pdf'),
                         pagesize=A4, invariant=1)
    W, H = A4
    margin, gutter, size, leading = 48, 18, 9.5, 12.5
    colw = (W - 2 * margin - 2 * gutter) / 3
    c.setFont('DejaVuSans', 16)
    c.drawString(margin, H - 70, 'Westray Harbour Newsletter, Winter Issue')
    cols = [wrap(t, 'DejaVuSerif', size, colw) for t in NEWSLETTER]
    c.setFont('DejaVuSerif', size)
    for i in range(max(len(col) for col in cols)):  # row by row across the columns
        for k, col in enumerate(cols):
            if i < len(col):
                c.drawString(margin + k * (colw + gutter), H - 110 - i * leading, col[i])
    c.showPage()
    c.save()
    truth = os.path.join(os.path.dirname(__file__), '..', 'test', 'data', 'reading-order', 'newsletter-3col.pdf.txt')
    with open(truth, 'w', encoding='utf-8') as f:
        f.write('\n'.join(['Westray Harbour Newsletter, Winter Issue'] + NEWSLETTER) + '\n')


SCAN_BODIES = [
    'The north pier was resurfaced in January and reopened to foot traffic in February.',
    'Dredging of the inner basin removed four thousand tonnes of silt before the spring tides.',
    'Two new mooring buoys were laid off the lifeboat station for visiting yachts.',
    'The fish market roof was repaired after the storm damage recorded in the autumn.',
]


def scanned_report():
    """test/data/scans/harbour-report-scan.pdf: four image-only pages (150 dpi, a little noise), each with the same
    letterhead and a "Page n of 4" footer around a different body, as a scanned report has."""
    pdfmetrics.registerFont(TTFont('DejaVuSerif', SERIF))  # wrap() measures with it
    head, body_font, foot = ImageFont.truetype(SANS, 30), ImageFont.truetype(SERIF, 26), ImageFont.truetype(SANS, 22)
    c = rl_canvas.Canvas(os.path.join(os.path.dirname(__file__), '..', 'test', 'data', 'scans', 'harbour-report-scan.pdf'),
                         pagesize=A4, invariant=1)
    w, h = 1240, 1754
    for n, body in enumerate(SCAN_BODIES, 1):
        img = Image.new('L', (w, h), 248)
        d = ImageDraw.Draw(img)
        d.text((110, 90), 'Westray Harbour Trust - Quarterly Report', font=head, fill=20)
        d.line([(110, 140), (w - 110, 140)], fill=40, width=2)
        for i, line in enumerate(wrap(body, 'DejaVuSerif', 13, 1000 * 72 / 150)):
            d.text((110, 220 + i * 44), line, font=body_font, fill=25)
        d.text((110, h - 130), f'Page {n} of 4', font=foot, fill=30)
        rnd = random.Random(n)
        px = img.load()
        for _ in range(3000):
            px[rnd.randrange(w), rnd.randrange(h)] = rnd.choice((120, 170, 200))
        buf = io.BytesIO()
        img.save(buf, 'PNG', optimize=True)
        buf.seek(0)
        c.drawImage(ImageReader(buf), 0, 0, width=A4[0], height=A4[1])
        c.showPage()
    c.save()


MAP_NAMES = ['Bramblecombe', 'Oakhurst', 'Fenwick Ferry', 'Saltmarsh', 'Harrowgate', 'Kestrel Point', 'Millbrook',
             'Thornbury', 'Ashby Cross', 'Wyvern Bay', 'Larkspur', 'Copperfield']


def trail_map():
    """test/data/scans/trail-map.png: a map as a 150 dpi picture, roads, rivers and hatched woods across it and twelve
    place names in white boxes among them; page segmentation finds few of its lines."""
    import math
    rnd = random.Random(7)
    w, h = 1100, 1000
    im = Image.new('L', (w, h), 255)
    d = ImageDraw.Draw(im)
    for y0 in range(60, h, 140):  # roads
        d.line([(x, y0 + 40 * math.sin(x / 97.0 + y0) + rnd.randint(-3, 3)) for x in range(0, w + 6, 6)],
               fill=rnd.choice([0, 60, 110]), width=rnd.choice([3, 5, 7]))
    for x0 in range(80, w, 170):  # rivers
        d.line([(x0 + 35 * math.sin(y / 80.0 + x0) + rnd.randint(-2, 2), y) for y in range(0, h + 6, 6)],
               fill=rnd.choice([0, 90]), width=rnd.choice([2, 4, 6]))
    for _ in range(14):  # woods
        cx, cy, r = rnd.randint(0, w), rnd.randint(0, h), rnd.randint(30, 70)
        for k in range(-r, r, 6):
            d.line([(cx + k, cy - r), (cx + k + r // 2, cy + r)], fill=120, width=1)
    font, big = ImageFont.truetype(SANS, 17), ImageFont.truetype(SANS.replace('Sans', 'Sans-Bold'), 26)
    spots = [(90, 120), (620, 90), (300, 260), (820, 300), (120, 430), (560, 470), (860, 560), (260, 640), (640, 700),
             (90, 840), (480, 880), (820, 860)]
    for (x, y), name in zip(spots, MAP_NAMES):
        f = big if name in ('Saltmarsh', 'Millbrook') else font
        bb = d.textbbox((x, y), name, font=f)
        d.rectangle([bb[0] - 3, bb[1] - 2, bb[2] + 3, bb[3] + 2], fill=255)
        d.text((x, y), name, font=f, fill=0)
    im.filter(ImageFilter.GaussianBlur(0.6)).save(
        os.path.join(os.path.dirname(__file__), '..', 'test', 'data', 'scans', 'trail-map.png'), dpi=(150, 150))


if __name__ == '__main__':
    os.makedirs(OUT, exist_ok=True)
    os.makedirs(EXPECTED, exist_ok=True)
    scanned_table()
    tide_report()
    newsletter()
    scanned_report()
    trail_map()
    print('page fixtures written to', os.path.abspath(OUT))
