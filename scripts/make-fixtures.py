#!/usr/bin/env python3
"""Generates fixtures/docs/* (small documents for extraction tests) and their <name>.expected.txt snippet lists.

Deterministic where the libraries allow it. Needs: python-docx openpyxl python-pptx reportlab Pillow, DejaVu fonts.
Run from the repo root: python3 scripts/make-fixtures.py
"""
import io, os, random
from PIL import Image, ImageDraw, ImageFont, ImageFilter

OUT = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'docs')
os.makedirs(OUT, exist_ok=True)
EXPECTED = os.path.join(os.path.dirname(__file__), '..', 'test', 'data', 'expected')
os.makedirs(EXPECTED, exist_ok=True)
FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf'
SERIF = '/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf'


def expected(name, snippets):
    with open(os.path.join(EXPECTED, name + '.expected.txt'), 'w', encoding='utf-8') as f:
        f.write('\n'.join(snippets) + '\n')


def write(name, data, mode='w', encoding='utf-8'):
    p = os.path.join(OUT, name)
    if 'b' in mode:
        open(p, 'wb').write(data)
    else:
        open(p, 'w', encoding=encoding, newline='').write(data)


# --- TXT: lighthouse keeper's logbook (UTF-8, non-ASCII) ---
write('lighthouse-logbook.txt', """Logbook of the Skerryvore Light — winter 1894

3 January. Wind north-westerly, force 8. The lamp was lit at 15:42 and trimmed twice during the night.
Paraffin consumption: 14 gallons. The relief boat from Hynish could not land; we remain three keepers on the rock.

4 January. Heavy swell. Spray reached the gallery, 150 feet above the sea. Assistant keeper Ólafsson repaired
the cracked pane on the lantern's north side with putty and a spare sheet of glass.

5 January. Fog from 02:00. The fog bell was struck every thirty seconds until daylight. A Norwegian barque passed
safely two miles to the south, her crew waving from the rigging.
""")
expected('lighthouse-logbook.txt', [
    'Logbook of the Skerryvore Light — winter 1894',
    'Paraffin consumption: 14 gallons.',
    'Assistant keeper Ólafsson repaired',
    'The fog bell was struck every thirty seconds until daylight.',
])

# --- MD: sourdough baking, with headings ---
write('sourdough.md', """# Sourdough Bread at Home

A country loaf needs only flour, water, salt and a lively starter.

## Feeding the Starter

Feed the starter with equal weights of rye flour and water twelve hours before mixing.
It is ready when it has doubled and smells pleasantly sour, like yoghurt.

## Bulk Fermentation

Mix 500 g bread flour, 375 g water, 100 g starter and 10 g salt.
Perform four sets of stretch-and-folds, thirty minutes apart, then let the dough rise until it grows by half.

```
# not a heading: this is inside a code fence
oven = 250 °C
```

## Baking

Bake in a preheated Dutch oven at 250 °C, lid on for 20 minutes, then lid off for 25 minutes until deeply browned.
""")
expected('sourdough.md', [
    'Feed the starter with equal weights of rye flour and water',
    'Perform four sets of stretch-and-folds, thirty minutes apart',
    'Bake in a preheated Dutch oven at 250 °C',
])

# --- PDF: orbital mechanics, 3 pages with a text layer ---
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas as rl_canvas

pages = [
    ('Orbital Mechanics Primer', [
        'Page one: Kepler\'s laws of planetary motion.',
        'A planet moves on an ellipse with the Sun at one focus.',
        'The line joining a planet to the Sun sweeps out equal areas in equal times.',
        'The square of the orbital period is proportional to the cube of the semi-major axis.',
    ]),
    ('Hohmann Transfer Orbits', [
        'Page two: moving a spacecraft between two circular orbits.',
        'The Hohmann transfer uses two engine burns: one to enter an elliptical',
        'transfer orbit and a second to circularise at the destination altitude.',
        'It is the most fuel-efficient two-impulse manoeuvre between coplanar orbits.',
        'A transfer from low Earth orbit to geostationary orbit takes about five hours.',
    ]),
    ('Lagrange Points', [
        'Page three: the five equilibrium points of a two-body system.',
        'The James Webb Space Telescope orbits near the Sun-Earth L2 point,',
        'about 1.5 million kilometres from Earth, shielded from sunlight by its sunshade.',
    ]),
]
c = rl_canvas.Canvas(os.path.join(OUT, 'orbital-mechanics.pdf'), pagesize=A4, invariant=1)
for title, lines in pages:
    c.setFont('Helvetica-Bold', 18)
    c.drawString(72, 770, title)
    c.setFont('Helvetica', 11)
    y = 740
    for l in lines:
        c.drawString(72, y, l)
        y -= 16
    c.showPage()
c.save()
expected('orbital-mechanics.pdf', [
    'The square of the orbital period is proportional to the cube of the semi-major axis.',
    'The Hohmann transfer uses two engine burns',
    'James Webb Space Telescope orbits near the Sun-Earth L2 point',
])

# --- DOCX: beekeeping guide with headings and a table ---
import docx
d = docx.Document()
d.core_properties.created = __import__('datetime').datetime(2024, 1, 1)
d.add_heading('Beekeeping Through the Seasons', level=1)
d.add_paragraph('A healthy colony needs a dry hive, a young queen and plenty of forage within three kilometres.')
d.add_heading('Spring Inspection', level=2)
d.add_paragraph('On the first warm day above 14 °C, open the hive briefly and look for eggs, larvae and capped brood.')
d.add_heading('Swarm Control', level=2)
d.add_paragraph('Queen cells along the bottom of the frames mean the colony is preparing to swarm; split the hive.')
t = d.add_table(rows=3, cols=2)
for r, (a, b) in enumerate([('Month', 'Task'), ('April', 'Add a honey super'), ('August', 'Treat for varroa mites')]):
    t.cell(r, 0).text = a
    t.cell(r, 1).text = b
d.add_heading('Winter Preparation', level=2)
d.add_paragraph('Leave at least eighteen kilograms of honey in the hive and fit a mouse guard at the entrance.')
d.save(os.path.join(OUT, 'beekeeping.docx'))
expected('beekeeping.docx', [
    'A healthy colony needs a dry hive, a young queen',
    'look for eggs, larvae and capped brood',
    'August | Treat for varroa mites',
    'fit a mouse guard at the entrance',
])

# --- XLSX: kayak rentals, two sheets + one empty ---
import openpyxl
wb = openpyxl.Workbook()
ws = wb.active
ws.title = 'Prices'
for row in [('Boat', 'Hourly rate', 'Day rate'), ('Single kayak', 12, 45), ('Tandem kayak', 18, 65), ('Stand-up paddleboard', 15, 50)]:
    ws.append(row)
for r in range(2, 5):
    ws.cell(r, 2).number_format = '"€"#,##0.00'
ws2 = wb.create_sheet('Locations')
for row in [('Base', 'Lake', 'Opening hours'), ('North Pier', 'Lake Bled', '08:00-19:00'), ('Old Boathouse', 'Lake Bohinj', '09:00-18:00')]:
    ws2.append(row)
wb.create_sheet('Empty')
wb.properties.created = __import__('datetime').datetime(2024, 1, 1)
wb.save(os.path.join(OUT, 'kayak-rentals.xlsx'))
expected('kayak-rentals.xlsx', [
    'Boat: Tandem kayak; Hourly rate: €18.00; Day rate: 65',
    'Base: Old Boathouse; Lake: Lake Bohinj; Opening hours: 09:00-18:00',
])

# --- PPTX: volcano talk with a table and speaker notes ---
from pptx import Presentation
from pptx.util import Inches
prs = Presentation()
s1 = prs.slides.add_slide(prs.slide_layouts[1])
s1.shapes.title.text = 'How Stratovolcanoes Erupt'
s1.placeholders[1].text = 'Viscous andesitic magma traps gas until the pressure is released explosively'
s1.notes_slide.notes_text_frame.text = 'Mention Mount St. Helens, 18 May 1980, as the classic lateral blast.'
s2 = prs.slides.add_slide(prs.slide_layouts[5])
s2.shapes.title.text = 'Volcanic Explosivity Index'
tbl = s2.shapes.add_table(3, 2, Inches(1), Inches(2), Inches(6), Inches(1.5)).table
for r, (a, b) in enumerate([('Eruption', 'VEI'), ('Pinatubo 1991', '6'), ('Eyjafjallajökull 2010', '4')]):
    tbl.cell(r, 0).text = a
    tbl.cell(r, 1).text = b
s2.notes_slide.notes_text_frame.text = 'Each step of the index is a tenfold increase in ejected volume.'
prs.core_properties.created = __import__('datetime').datetime(2024, 1, 1)
prs.save(os.path.join(OUT, 'volcanoes.pptx'))
expected('volcanoes.pptx', [
    'How Stratovolcanoes Erupt',
    'Mention Mount St. Helens, 18 May 1980',
    'Eyjafjallajökull 2010 | 4',
    'tenfold increase in ejected volume',
])


# --- Image helpers for the OCR fixtures ---
def text_image(lines, size, font_px, rotate=0.0, noise=0, seed=7):
    img = Image.new('L', size, 255)
    dr = ImageDraw.Draw(img)
    f = ImageFont.truetype(SERIF, font_px)
    y = font_px * 2
    for l in lines:
        dr.text((font_px * 2, y), l, font=f, fill=20)
        y += int(font_px * 1.6)
    if rotate:
        img = img.rotate(rotate, resample=Image.BICUBIC, expand=False, fillcolor=255)
    if noise:
        rnd = random.Random(seed)
        px = img.load()
        for _ in range(noise):
            x, y2 = rnd.randrange(size[0]), rnd.randrange(size[1])
            px[x, y2] = rnd.choice((120, 160, 200))
        img = img.filter(ImageFilter.GaussianBlur(0.6))
    return img


# --- Scanned PDF: a page that is only an image (no text layer) ---
scan = text_image([
    'NOTICE OF WATER MAIN REPAIR',
    'Elm Street will be closed between',
    'Harbour Road and Mill Lane on Tuesday.',
    'Drinking water may look cloudy for a day.',
], (1240, 700), 44, noise=1500)
buf = io.BytesIO()
scan.save(buf, 'PNG', optimize=True)
buf.seek(0)
from reportlab.lib.utils import ImageReader
c = rl_canvas.Canvas(os.path.join(OUT, 'scanned-notice.pdf'), pagesize=A4, invariant=1)
c.drawImage(ImageReader(buf), 36, 400, width=A4[0] - 72, height=(A4[0] - 72) * 700 / 1240)
c.showPage()
c.save()
expected('scanned-notice.pdf', ['NOTICE OF WATER MAIN REPAIR', 'Harbour Road and Mill Lane'])

# --- Photographed-style image: slightly rotated, noisy, JPEG ---
photo = text_image([
    'Community Garden Rules',
    'Water your plot before nine in the morning.',
    'Compost bins are for plant waste only.',
    'Return borrowed tools to the green shed.',
], (1100, 520), 38, rotate=2.0, noise=3000)
photo.save(os.path.join(OUT, 'garden-rules.jpg'), 'JPEG', quality=70)
expected('garden-rules.jpg', ['Community Garden Rules', 'Compost bins are for plant waste only.'])

# --- HTML in Windows-1252 and in UTF-16 ---
html1252 = """<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">
<title>Bird migration notes</title><style>body { color: #333 }</style>
<script>var ignored = "this script text must not be extracted";</script></head>
<body><h1>Storks over the Bosporus</h1>
<p>In late August white storks cross at Istanbul – up to 300 000 birds in a few weeks.</p>
<h2>Observers’ costs</h2>
<p>A place on the guided watch costs 25 € per day, café included.</p>
<table><tr><th>Species</th><th>Peak</th></tr><tr><td>Lesser spotted eagle</td><td>mid-September</td></tr></table>
</body></html>
"""
write('bird-migration-cp1252.html', html1252.encode('cp1252'), 'wb')
expected('bird-migration-cp1252.html', [
    'Storks over the Bosporus',
    'up to 300 000 birds',
    'costs 25 € per day, café included',
    'Lesser spotted eagle | mid-September',
])
html16 = """<!DOCTYPE html>
<html><head><meta charset="utf-16"><title>Ferry timetable</title></head>
<body><h1>Island Ferry Timetable</h1>
<p>The first ferry leaves Kirkwall at 06:30 and reaches Westray at 07:55.</p>
<h2>Fares</h2><p>Adult return £18.40; bicycles travel free.</p></body></html>
"""
write('ferry-timetable-utf16.html', b'\xff\xfe' + html16.encode('utf-16-le'), 'wb')
expected('ferry-timetable-utf16.html', [
    'Island Ferry Timetable',
    'The first ferry leaves Kirkwall at 06:30',
    'Adult return £18.40; bicycles travel free.',
])

# --- CSV with ';' (European style, decimal commas, a quoted field) ---
write('cheese-inventory.csv', """Cheese;Origin;Age (months);Price per kg
Comté;Jura, France;18;32,50
"Gruyère; Réserve";Fribourg, Switzerland;12;29,90
Manchego;La Mancha, Spain;6;21,00
""")
expected('cheese-inventory.csv', [
    'Cheese: Comté; Origin: Jura, France; Age (months): 18; Price per kg: 32,50',
    'Cheese: Gruyère; Réserve; Origin: Fribourg, Switzerland',
])

# --- EML: quoted-printable body ---
write('allotment-meeting.eml', """From: =?UTF-8?Q?Zo=C3=AB_Parker?= <zoe@example.org>
To: members@example.org
Subject: Allotment committee meeting
Date: Tue, 4 Jun 2024 18:00:00 +0100
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

The committee meets on Thursday in the pavilion to discuss the new polytunnel=
 and the rota for watering during the heatwave.
Tea and caf=C3=A9 biscuits provided.
""")
expected('allotment-meeting.eml', [
    'From: Zoë Parker <zoe@example.org>',
    'Subject: Allotment committee meeting',
    'to discuss the new polytunnel and the rota for watering',
    'Tea and café biscuits provided.',
])

# --- RTF: \\'hh bytes and \\uN escapes ---
write('chess-opening.rtf', r"""{\rtf1\ansi\ansicpg1252\uc1{\fonttbl{\f0 Times New Roman;}}{\info{\title ignored}}
{\pard\b The R\'e9ti Opening\b0\par}
{\pard After 1.Nf3 d5 2.c4 White attacks the centre from the flank \u8212\'97 a hypermodern idea.\par}
}
""")
expected('chess-opening.rtf', ['The Réti Opening', 'attacks the centre from the flank — a hypermodern idea'])

# --- OLE2: Outlook .msg and Word .doc (scripts/make_fixtures_ole.py; the .doc needs LibreOffice) ---
import subprocess, sys
subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), 'make_fixtures_ole.py')], check=True)
# --- Page layout: a scanned table (image-only PDF), a two-column report with running headers (make_fixtures_pages.py) ---
subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), 'make_fixtures_pages.py')], check=True)

# Hostile files are generated by the tests themselves (test/helpers/hostile-fixtures.ts, ole-hostile.ts), never committed.

print('fixtures written to', os.path.abspath(OUT))
