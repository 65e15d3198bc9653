#!/usr/bin/env python3
"""OCR test pages under conditions the fixtures and corpus lack, each with its ground truth, for bench:ocr:
fonts and sizes at 96-300 dpi, skew and quarter turns, noise and blur, low contrast, light text on dark, shade from
one side or darker corners (a photo under a lamp), a dark picture over part of the text, a scanner's black border.

    python3 scripts/make_ocr_conditions.py /tmp/ocr-conditions
    npm run bench:ocr -- /tmp/ocr-conditions --truth-dir /tmp/ocr-conditions/t

With --noisy-skew it writes instead 8 noisy, slightly blurred pages skewed by -11 to 13 degrees in four fonts (how
levelling's resampling affects recall on degraded scans); with --small-type, 8 pages of 8-12 pt type at 72-150 dpi;
with --low-res, 8 blurred or JPEG-compressed pages of 9-11 pt type at 72-96 dpi (screenshots, faxes, web scans: how
far small text is enlarged).

Needs Pillow and the DejaVu fonts (as make_fixtures_pages.py does). Deterministic: the same pages every run.
"""
import os, random, sys
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps
out = [a for a in sys.argv[1:] if not a.startswith('--')][0]; truth = os.path.join(out, 't'); os.makedirs(truth, exist_ok=True)
F = '/usr/share/fonts/truetype/dejavu/'
TEXT = ("The harbour master keeps a ledger of every vessel that enters after dark. Each entry records the hull "
 "number, the tonnage and the name of the pilot who brought her alongside. In winter the ledger fills slowly, "
 "because fog closes the channel for days at a time and the fishing fleet stays moored inside the breakwater. "
 "Last March a cargo ship carrying timber waited four nights at anchor before the pilot judged the tide safe. "
 "Inspectors later praised the crew for securing the deck load with extra chains during the northerly gale. "
 "Visitors may read older ledgers in the museum beside the lighthouse, where volumes from 1890 onwards are kept.")
def wrap(draw, text, font, width):
    lines, cur = [], ''
    for w in text.split():
        t = (cur + ' ' + w).strip()
        if draw.textlength(t, font=font) > width and cur: lines.append(cur); cur = w
        else: cur = t
    lines.append(cur); return lines
def page(name, font='DejaVuSerif.ttf', pt=11, dpi=200, angle=0, noise=0, blur=0, fg=20, bg=250, invert=False, light=False, jpeg=None, text=TEXT, vignette=0, photo=False, border=False, strength=0.55):
    px = int(pt * dpi / 72); W = int(8.27 * dpi * 0.8); f = ImageFont.truetype(F + font, px)
    img = Image.new('L', (W, 10), bg); d = ImageDraw.Draw(img); lines = wrap(d, text, f, W - 2 * int(0.5 * dpi))
    H = int(len(lines) * px * 1.45 + dpi); img = Image.new('L', (W, H), bg); d = ImageDraw.Draw(img)
    y = dpi // 2
    for l in lines: d.text((int(0.5 * dpi), y), l, font=f, fill=fg); y += int(px * 1.45)
    if invert: img = ImageOps.invert(img)
    if angle: img = img.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=255 - bg if invert else bg)
    if photo:
        r = random.Random(3); d2 = ImageDraw.Draw(img); x0, y0 = img.size[0] // 2, img.size[1] // 3
        for _ in range(400): 
            x, yy = r.randrange(x0, img.size[0] - 20), r.randrange(y0, img.size[1] - 20); d2.ellipse((x, yy, x + r.randrange(5, 60), yy + r.randrange(5, 60)), fill=r.randrange(0, 160))
    if light:
        g = Image.linear_gradient('L').resize(img.size).point(lambda v: int(v * strength))
        img = Image.composite(img, Image.new('L', img.size, 0), ImageOps.invert(g))
    if vignette:
        g = Image.radial_gradient('L').resize(img.size).point(lambda v: int(v * vignette))
        img = Image.composite(Image.new('L', img.size, 0), img, g)
    if border:
        b = Image.new('L', (img.size[0] + 160, img.size[1] + 160), 15); b.paste(img, (80, 80)); img = b
    if blur: img = img.filter(ImageFilter.GaussianBlur(blur))
    if noise:
        r = random.Random(7); p = img.load()
        for _ in range(int(img.size[0] * img.size[1] * noise)):
            x, yy = r.randrange(img.size[0]), r.randrange(img.size[1]); p[x, yy] = r.choice((0, 255))
    fn = os.path.join(out, name + ('.jpg' if jpeg else '.png'))
    img.save(fn, **({'quality': jpeg} if jpeg else {}))
    open(os.path.join(truth, os.path.basename(fn) + '.txt'), 'w').write(text + '\n')
if '--noisy-skew' in sys.argv:
    for i, (a, font, pt, dpi) in enumerate([(2, 'DejaVuSans.ttf', 10, 200), (4, 'DejaVuSerif.ttf', 11, 200), (-5, 'DejaVuSans.ttf', 9, 200),
            (8, 'DejaVuSerif.ttf', 10, 150), (-11, 'DejaVuSansCondensed.ttf', 11, 200), (13, 'DejaVuSans.ttf', 12, 150),
            (-3, 'DejaVuSerif.ttf', 9, 250), (6, 'DejaVuSansMono.ttf', 10, 200)]):
        page(f'noisy{i}-{a}', font=font, pt=pt, dpi=dpi, angle=a, noise=0.01, blur=0.6)
elif '--small-type' in sys.argv:
    page('serif-10pt-100dpi', pt=10, dpi=100)
    page('sans-9pt-110dpi', font='DejaVuSans.ttf', pt=9, dpi=110)
    page('serif-8pt-150dpi', pt=8, dpi=150)
    page('sans-10pt-120dpi-jpeg', font='DejaVuSans.ttf', pt=10, dpi=120, jpeg=70)
    page('serif-11pt-90dpi', pt=11, dpi=90)
    page('sans-12pt-72dpi', font='DejaVuSans.ttf', pt=12, dpi=72)
    page('condensed-9pt-130dpi', font='DejaVuSansCondensed.ttf', pt=9, dpi=130)
    page('serif-9pt-120dpi-rot4', pt=9, dpi=120, angle=4)
elif '--low-res' in sys.argv:
    page('serif-10pt-72dpi-blur', pt=10, dpi=72, blur=0.5)
    page('sans-9pt-80dpi-jpeg', font='DejaVuSans.ttf', pt=9, dpi=80, jpeg=50)
    page('serif-11pt-72dpi-jpeg', pt=11, dpi=72, jpeg=45)
    page('sans-10pt-90dpi-noise', font='DejaVuSans.ttf', pt=10, dpi=90, noise=0.005, blur=0.4)
    page('condensed-11pt-80dpi-blur', font='DejaVuSansCondensed.ttf', pt=11, dpi=80, blur=0.6)
    page('serif-9pt-96dpi-jpeg', pt=9, dpi=96, jpeg=40)
    page('mono-10pt-84dpi-blur', font='DejaVuSansMono.ttf', pt=10, dpi=84, blur=0.5)
    page('sans-11pt-75dpi-rot2-jpeg', font='DejaVuSans.ttf', pt=11, dpi=75, angle=2, jpeg=55)
else:
    page('sans-10pt-300dpi', font='DejaVuSans.ttf', pt=10, dpi=300)
    page('mono-9pt-200dpi', font='DejaVuSansMono.ttf', pt=9, dpi=200)
    page('serif-12pt-150dpi-rot-7', pt=12, dpi=150, angle=-7)
    page('serif-11pt-200dpi-rot12', angle=12)
    page('sans-11pt-200dpi-rot3-noise', font='DejaVuSans.ttf', angle=3, noise=0.01, blur=0.6)
    page('serif-11pt-200dpi-rot270', angle=270)
    page('serif-11pt-200dpi-rot90', angle=90)
    page('serif-11pt-200dpi-rot180-jpeg', angle=180, jpeg=60)
    page('serif-11pt-200dpi-lowcontrast', fg=150, bg=200)
    page('sans-11pt-200dpi-inverted', font='DejaVuSans.ttf', invert=True)
    page('serif-11pt-200dpi-unevenlight', light=True)
    page('serif-8pt-300dpi', pt=8, dpi=300)
    page('sans-14pt-96dpi', font='DejaVuSans.ttf', pt=14, dpi=96)
    page('condensed-10pt-200dpi-rot-14', font='DejaVuSerifCondensed.ttf', pt=10, angle=-14, blur=0.8)
    page('serif-11pt-200dpi-light-strong', light=True, strength=0.75)
    page('serif-11pt-200dpi-light-rot6', light=True, angle=6, strength=0.6)
    page('sans-10pt-300dpi-vignette', font='DejaVuSans.ttf', pt=10, dpi=300, vignette=0.7)
    page('serif-11pt-200dpi-photo', photo=True)
    page('serif-11pt-200dpi-photo-light', photo=True, light=True)
    page('serif-11pt-200dpi-border', border=True)
    page('sans-11pt-200dpi-inverted-light', font='DejaVuSans.ttf', invert=True, light=True, strength=0.4)
    page('serif-11pt-200dpi-light-jpeg', light=True, jpeg=50, blur=0.7)
