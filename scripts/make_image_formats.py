#!/usr/bin/env python3
"""Image-format fixtures for the OCR tests: a HEIC photo-like notice (what an iPhone's camera writes) and a 16-colour
GIF. Needs Pillow, pillow-heif and the DejaVu fonts. Deterministic text; the encoders' bytes may differ by version.

    python3 scripts/make_image_formats.py test/data/images
"""
import os, sys
from PIL import Image, ImageDraw, ImageFont
import pillow_heif

pillow_heif.register_heif_opener()
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
FONT = ImageFont.truetype('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', 36)


def page(lines, size):
    img = Image.new('RGB', size, (250, 248, 240))
    d = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        d.text((60, 60 + i * 70), line, font=FONT, fill=(20, 20, 20))
    return img


page(['Harbour notice: the slipway closes', 'for repairs from the first of March.', 'Boats may use the north pier instead.'], (1400, 500)).save(os.path.join(out, 'slipway-notice.heic'), quality=50)
page(['Lost property: a blue oilskin jacket', 'was handed in at the ferry office.'], (1300, 300)).convert('P', palette=Image.ADAPTIVE, colors=16).save(os.path.join(out, 'lost-property.gif'))
