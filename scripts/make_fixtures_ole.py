#!/usr/bin/env python3
"""Generates the OLE2 fixtures: fixtures/docs/harbour-festival.msg (Outlook) and parish-newsletter.doc (Word 97),
test/data/ppt/lighthouse-rota.ppt (PowerPoint 97), and
test/data/msg/rtf-body.msg, a message whose only body is compressed RTF (Outlook's encapsulated HTML), as older
Outlook versions and many forwarded messages store it.

The .msg is written by a small MS-CFB writer below (no library writes .msg files); it follows MS-OXMSG: a plain
body, recipients in To and Cc, a date, a CSV attachment, and an attached message with an HTML-only body and its own
text attachment. The .doc is a flat ODF document (header, footer, footnote, endnote) converted by LibreOffice
(`soffice`, apt-get install libreoffice-writer-nogui, and libreoffice-impress-nogui for the .ppt); without soffice the
existing files are kept. The Word 6/95
files under test/data/doc are laid out by hand (no tool here writes that format): plain, fast-saved, Cyrillic,
encrypted, and one whose piece table points past the file.
Run from the repo root: python3 scripts/make_fixtures_ole.py (make-fixtures.py runs it too).
"""
import os, shutil, struct, subprocess, tempfile
from datetime import datetime, timezone

OUT = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'docs')
EXPECTED = os.path.join(os.path.dirname(__file__), '..', 'test', 'data', 'expected')
SECTOR, MINI, CUTOFF = 512, 64, 4096
FREE, END, FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD


def expected(name, snippets):
    with open(os.path.join(EXPECTED, name + '.expected.txt'), 'w', encoding='utf-8') as f:
        f.write('\n'.join(snippets) + '\n')


# --- MS-CFB writer (version 3, 512-byte sectors). A tree is a dict: name -> bytes (stream) or dict (storage). ---
def cfb(tree):
    entries = [{'name': 'Root Entry', 'type': 5, 'kids': [], 'data': b''}]

    def add(node, parent):
        for name, val in node.items():
            e = {'name': name, 'type': 1 if isinstance(val, dict) else 2, 'kids': [], 'data': b'' if isinstance(val, dict) else val}
            entries.append(e)
            entries[parent]['kids'].append(len(entries) - 1)
            if isinstance(val, dict):
                add(val, len(entries) - 1)
    add(tree, 0)

    # Small streams live in the mini stream, 64-byte mini sectors chained by the mini FAT.
    mini, minifat = bytearray(), []
    for e in entries:
        if e['type'] == 2 and 0 < len(e['data']) < CUTOFF:
            n = -(-len(e['data']) // MINI)
            e['start'] = len(minifat)
            minifat += [len(minifat) + i + 1 for i in range(n - 1)] + [END]
            mini += e['data'] + b'\0' * (n * MINI - len(e['data']))
    big = [e for e in entries if e['type'] == 2 and len(e['data']) >= CUTOFF]
    secs = lambda n: -(-n // SECTOR)
    n_dir = secs(len(entries) * 128)
    n_minifat = secs(len(minifat) * 4)
    n_mini = secs(len(mini))
    n_big = sum(secs(len(e['data'])) for e in big)
    n_fat = 1
    while n_fat * 128 < n_fat + n_dir + n_minifat + n_mini + n_big:
        n_fat += 1
    assert n_fat <= 109
    fat, body = [FATSECT] * n_fat, []

    def chain(data):
        n = secs(len(data))
        start = len(fat)
        fat.extend([start + i + 1 for i in range(n - 1)] + [END])
        body.append(data + b'\0' * (n * SECTOR - len(data)))
        return start

    dir_start = len(fat)
    fat.extend([dir_start + i + 1 for i in range(n_dir - 1)] + [END])
    body.append(None)  # directory placeholder, written once every start sector is known
    minifat_start = chain(b''.join(struct.pack('<I', x) for x in minifat)) if minifat else END
    entries[0]['start'] = chain(bytes(mini)) if mini else END
    entries[0]['size'] = len(mini)
    for e in big:
        e['start'] = chain(e['data'])

    # Siblings form a binary search tree ordered as MS-CFB says: by name length, then upper-cased name.
    def bst(ids):
        if not ids:
            return FREE
        mid = len(ids) // 2
        entries[ids[mid]]['left'], entries[ids[mid]]['right'] = bst(ids[:mid]), bst(ids[mid + 1:])
        return ids[mid]
    for e in entries:
        kids = sorted(e['kids'], key=lambda i: (len(entries[i]['name']), entries[i]['name'].upper()))
        e['child'] = bst(kids)
    d = bytearray()
    for e in entries:
        name = e['name'].encode('utf-16-le')
        size = e.get('size', len(e['data']))
        start = e.get('start', END if e['type'] != 1 else 0)
        d += name + b'\0' * (64 - len(name)) + struct.pack('<HBB', len(name) + 2, e['type'], 1)
        d += struct.pack('<III', e.get('left', FREE), e.get('right', FREE), e['child'])
        d += b'\0' * 36 + struct.pack('<IQ', start if size or e['type'] == 5 else 0, size)
    d += b'\0' * (n_dir * SECTOR - len(d))
    body[0] = bytes(d)
    fat += [FREE] * (n_fat * 128 - len(fat))
    header = bytes.fromhex('d0cf11e0a1b11ae1') + b'\0' * 16 + struct.pack('<HHHHH', 0x3e, 3, 0xfffe, 9, 6)
    header += b'\0' * 10 + struct.pack('<IIIIIIII', n_fat, dir_start, 0, CUTOFF, minifat_start, len(minifat) and n_minifat, END, 0)
    header += b''.join(struct.pack('<I', i) for i in range(n_fat)) + struct.pack('<I', FREE) * (109 - n_fat)
    fat_bytes = b''.join(struct.pack('<I', x) for x in fat)
    return header + fat_bytes + b''.join(body)


# --- MS-OXMSG: properties as __substg1.0_<tag> streams plus fixed-size ones in __properties_version1.0. ---
def u(s):
    return s.encode('utf-16-le')


def filetime(dt):
    return int((dt - datetime(1601, 1, 1, tzinfo=timezone.utc)).total_seconds() * 10_000_000)


def props(header, fixed, strings):
    """fixed: {tag: int value (8 bytes)}; strings: {tag: bytes}; variable-length entries carry their size."""
    out = bytearray(header)
    for tag, val in fixed.items():
        out += struct.pack('<IIQ', tag, 6, val)
    for tag, data in strings.items():
        out += struct.pack('<IIII', tag, 6, len(data) + {0x1f: 2, 0x1e: 1}.get(tag & 0xffff, 0), 0)
    node = {'__properties_version1.0': bytes(out)}
    node.update({'__substg1.0_%08X' % tag: data for tag, data in strings.items()})
    return node


def recipient(i, name, email, kind):
    node = props(b'\0' * 8, {0x0C150003: kind}, {0x3001001F: u(name), 0x3003001F: u(email), 0x3002001F: u('SMTP'), 0x39FE001F: u(email)})
    return '__recip_version1.0_#%08X' % i, node


def attachment(i, filename, data, mime):
    strings = {0x3707001F: u(filename), 0x3704001F: u(filename[:12]), 0x3001001F: u(filename),
               0x3703001F: u(os.path.splitext(filename)[1]), 0x370E001F: u(mime), 0x37010102: data}
    return '__attach_version1.0_#%08X' % i, props(b'\0' * 8, {0x37050003: 1, 0x0E200003: len(data)}, strings)


def rtf_uncompressed(rtf):
    """PR_RTF_COMPRESSED in MS-OXRTFCP's uncompressed form ('MELA'): sizes, type, a zero CRC, then the RTF itself."""
    data = rtf.encode('latin-1')
    return struct.pack('<IIII', len(data) + 12, len(data), 0x414C454D, 0) + data


def message(header_len, subject, sender, when, recips, atts, body=None, html=None, rtf=None):
    strings = {0x001A001F: u('IPM.Note'), 0x0037001F: u(subject), 0x0C1A001F: u(sender[0]), 0x0C1F001F: u(sender[1]),
               0x0C1E001F: u('SMTP'), 0x5D01001F: u(sender[1]),
               0x0E04001F: u('; '.join(n for n, _, k in recips if k == 1)), 0x0E03001F: u('; '.join(n for n, _, k in recips if k == 2))}
    if body is not None:
        strings[0x1000001F] = u(body)
    if html is not None:
        strings[0x10130102] = html.encode('utf-8')
    if rtf is not None:
        strings[0x10090102] = rtf_uncompressed(rtf)
    ft = filetime(when)
    fixed = {0x00390040: ft, 0x0E060040: ft, 0x3FDE0003: 65001}
    head = b'\0' * 8 + struct.pack('<IIII', len(recips), len(atts), len(recips), len(atts)) + b'\0' * (header_len - 24)
    node = props(head, fixed, strings)
    node['__nameid_version1.0'] = {'__substg1.0_00020102': b'', '__substg1.0_00030102': b'', '__substg1.0_00040102': b''}
    for i, (n, e, k) in enumerate(recips):
        name, r = recipient(i, n, e, k)
        node[name] = r
    for i, a in enumerate(atts):
        node['__attach_version1.0_#%08X' % i] = a
    return node


def embedded(i, inner, display):
    """An attached message (ATTACH_EMBEDDED_MSG = 5): the inner message is the storage __substg1.0_3701000D."""
    node = props(b'\0' * 8, {0x37050003: 5}, {0x3001001F: u(display)})
    node['__substg1.0_3701000D'] = inner
    return node


def make_msg():
    inner = message(
        24, 'Stall plan for the quay', ('Ines Duarte', 'ines@example.org'), datetime(2024, 5, 2, 9, 15, tzinfo=timezone.utc),
        [('Harbour Committee', 'committee@example.org', 1)],
        [attachment(0, 'stall-rules.txt', 'Stalls must be packed away by ten in the evening.\nNo open flames near the nets.\n'.encode(), 'text/plain')[1]],
        html='<html><body><h1>Stall plan</h1><p>The craft stalls line the <b>north quay</b>; food vans park by the ice house.</p></body></html>',
    )
    csv = 'Event,Time,Place\nRowing regatta,10:00,Outer harbour\nSea shanty choir,15:30,Fish market\n'.encode()
    msg = message(
        32, 'Harbour festival: programme and stall plan', ('Marta Kowalczyk', 'marta@example.org'),
        datetime(2024, 5, 3, 16, 45, tzinfo=timezone.utc),
        [('Harbour Committee', 'committee@example.org', 1), ('Tom Baines', 'tom.baines@example.org', 2)],
        [attachment(0, 'programme.csv', csv, 'text/csv')[1], embedded(1, inner, 'Stall plan for the quay')],
        body='Dear all,\r\n\r\nThe harbour festival opens on Saturday with the rowing regatta.\r\n'
             'Please check the programme attached and the stall plan Ines sent.\r\n\r\nMarta\r\n',
    )
    with open(os.path.join(OUT, 'harbour-festival.msg'), 'wb') as f:
        f.write(cfb(msg))
    expected('harbour-festival.msg', [
        'Subject: Harbour festival: programme and stall plan',
        'From: Marta Kowalczyk <marta@example.org>',
        'To: Harbour Committee <committee@example.org>',
        'Cc: Tom Baines <tom.baines@example.org>',
        'Date: 2024-05-03T16:45:00Z',
        'The harbour festival opens on Saturday with the rowing regatta.',
        'Event: Rowing regatta; Time: 10:00; Place: Outer harbour',
        'Subject: Stall plan for the quay',
        'The craft stalls line the north quay; food vans park by the ice house.',
        'Stalls must be packed away by ten in the evening.',
    ])


FODT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
 <office:meta><meta:creation-date>2024-01-01T00:00:00</meta:creation-date><dc:date>2024-01-01T00:00:00</dc:date></office:meta>
 <office:automatic-styles><style:page-layout style:name="pm1"><style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm"/>
  <style:header-style/><style:footer-style/></style:page-layout></office:automatic-styles>
 <office:master-styles><style:master-page style:name="Standard" style:page-layout-name="pm1">
  <style:header><text:p>St Brendan's Parish Newsletter, spring edition</text:p></style:header>
  <style:footer><text:p>Printed by volunteers at the church hall</text:p></style:footer>
 </style:master-page></office:master-styles>
 <office:body><office:text>
  <text:h text:outline-level="1">Bell Tower Restoration</text:h>
  <text:p>The bell tower scaffolding comes down in April<text:note text:id="ftn1" text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body><text:p>Weather permitting, according to the stonemason.</text:p></text:note-body></text:note>, and the bells ring again at Easter.</text:p>
  <text:p>Thanks to the jumble sale we raised 2,340 pounds for the new bell ropes.<text:note text:id="edn1" text:note-class="endnote"><text:note-citation>i</text:note-citation><text:note-body><text:p>Figures audited by the parish treasurer in March.</text:p></text:note-body></text:note></text:p>
  <text:h text:outline-level="1">Choir Practice</text:h>
  <text:p>Choir practice moves to Thursday evenings in the vestry; new tenors are very welcome.</text:p>
  <text:p>At Advent the choir sings well‑known carols at the Christ­mas market.</text:p>
  <text:p>The “Bells &amp; Ropes” open day runs 10–12 May — bring sturdy shoes.</text:p>
 </office:text></office:body>
</office:document>
"""


RTF_BODY = r"""{\rtf1\ansi\ansicpg1252\fromhtml1 \deff0{\fonttbl{\f0\fswiss Arial;}}
{\*\htmltag19 <html>}{\*\htmltag34 <head>}{\*\htmltag41 </head>}{\*\htmltag50 <body>}\htmlrtf {\htmlrtf0
{\*\htmltag64 <p>}\htmlrtf {\htmlrtf0 The lifeboat crew meets on Tuesday at the caf\'e9 by the slipway.\htmlrtf\par}\htmlrtf0
{\*\htmltag72 </p>}
{\*\htmltag64 <p>}\htmlrtf {\htmlrtf0 Bring your own oilskins and a flask of tea.\htmlrtf\par}\htmlrtf0
{\*\htmltag72 </p>}
{\*\htmltag58 </body>}{\*\htmltag27 </html>}\htmlrtf }\htmlrtf0 }"""


def make_rtf_msg():
    out = os.path.join(os.path.dirname(__file__), '..', 'test', 'data', 'msg')
    os.makedirs(out, exist_ok=True)
    msg = message(32, 'Lifeboat crew meeting', ('Rhys Morgan', 'rhys@example.org'), datetime(2024, 6, 4, 7, 30, tzinfo=timezone.utc),
                  [('Lifeboat Crew', 'crew@example.org', 1)], [], rtf=RTF_BODY)
    with open(os.path.join(out, 'rtf-body.msg'), 'wb') as f:
        f.write(cfb(msg))


def make_ansi_msg():
    """A message saved in Outlook's ANSI format (Outlook 97-2002, PT_STRING8): its strings are in the code page that
    PR_MESSAGE_CODEPAGE names, here windows-1251, and a reader that takes them for Latin-1 returns mojibake."""
    out = os.path.join(os.path.dirname(__file__), '..', 'test', 'data', 'msg')
    a = lambda s: s.encode('cp1251')
    when = filetime(datetime(2024, 9, 12, 16, 5, tzinfo=timezone.utc))
    strings = {0x001A001E: a('IPM.Note'), 0x0037001E: a('Расписание парома на зиму'), 0x0C1A001E: a('Ольга Смирнова'),
               0x0C1F001E: a('olga@example.org'), 0x0C1E001E: a('SMTP'), 0x5D01001E: a('olga@example.org'),
               0x0E04001E: a('Причал'),
               0x1000001E: a('Первый паром отходит в 7:15, последний \u2014 в 19:40. Билеты «туда и обратно» стоят 12 €.')}
    fixed = {0x00390040: when, 0x0E060040: when, 0x3FFD0003: 1251, 0x3FDE0003: 1251}
    head = b'\0' * 8 + struct.pack('<IIII', 1, 0, 1, 0) + b'\0' * 8
    node = props(head, fixed, strings)
    node['__nameid_version1.0'] = {'__substg1.0_00020102': b'', '__substg1.0_00030102': b'', '__substg1.0_00040102': b''}
    node['__recip_version1.0_#00000000'] = props(b'\0' * 8, {0x0C150003: 1}, {0x3001001E: a('Причал'), 0x3003001E: a('pier@example.org'),
                                                                             0x3002001E: a('SMTP'), 0x39FE001E: a('pier@example.org')})
    with open(os.path.join(out, 'ansi-cp1251.msg'), 'wb') as f:
        f.write(cfb(node))


FODP = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
 xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.presentation">
 <office:automatic-styles><style:page-layout style:name="PM1"><style:page-layout-properties fo:page-width="28cm" fo:page-height="21cm"/></style:page-layout></office:automatic-styles>
 <office:master-styles><style:master-page style:name="Default" style:page-layout-name="PM1"/></office:master-styles>
 <office:body><office:presentation>
  <draw:page draw:name="page1" draw:master-page-name="Default">
   <draw:frame presentation:class="title" svg:x="2cm" svg:y="2cm" svg:width="24cm" svg:height="3cm"><draw:text-box><text:p>Lighthouse Keepers’ Rota</text:p></draw:text-box></draw:frame>
   <draw:frame presentation:class="subtitle" svg:x="2cm" svg:y="6cm" svg:width="24cm" svg:height="3cm"><draw:text-box><text:p>Winter season on Skerry Rock, 1898</text:p></draw:text-box></draw:frame>
  </draw:page>
  <draw:page draw:name="page2" draw:master-page-name="Default">
   <draw:frame presentation:class="title" svg:x="2cm" svg:y="1cm" svg:width="24cm" svg:height="3cm"><draw:text-box><text:p>Lamp duties</text:p></draw:text-box></draw:frame>
   <draw:frame presentation:class="outline" svg:x="2cm" svg:y="5cm" svg:width="14cm" svg:height="8cm"><draw:text-box><text:list><text:list-item><text:p>Light the lamp half an hour before sunset</text:p></text:list-item><text:list-item><text:p>Wind the clockwork every four hours</text:p></text:list-item></text:list></draw:text-box></draw:frame>
   <draw:frame svg:x="17cm" svg:y="5cm" svg:width="9cm" svg:height="3cm"><draw:text-box><text:p>Trim the wicks at dusk and at midnight</text:p></draw:text-box></draw:frame>
   <presentation:notes><draw:frame presentation:class="notes" svg:x="2cm" svg:y="14cm" svg:width="17cm" svg:height="10cm"><draw:text-box><text:p>Remind the keepers about the new paraffin store.</text:p></draw:text-box></draw:frame></presentation:notes>
  </draw:page>
  <draw:page draw:name="page3" draw:master-page-name="Default">
   <draw:frame presentation:class="title" svg:x="2cm" svg:y="1cm" svg:width="24cm" svg:height="3cm"><draw:text-box><text:p>Fog signals</text:p></draw:text-box></draw:frame>
   <draw:frame svg:x="2cm" svg:y="5cm" svg:width="24cm" svg:height="4cm"><draw:text-box><text:p>The fog horn sounds every 30 s — audible 5 km out; Ólafur keeps the log.</text:p></draw:text-box></draw:frame>
   <draw:g><draw:frame svg:x="2cm" svg:y="10cm" svg:width="10cm" svg:height="2cm"><draw:text-box><text:p>Grouped: signal rockets in the east store</text:p></draw:text-box></draw:frame><draw:rect svg:x="13cm" svg:y="10cm" svg:width="5cm" svg:height="2cm"><text:p>Bell rope checked weekly</text:p></draw:rect></draw:g>
  </draw:page>
 </office:presentation></office:body>
</office:document>
"""


def make_ppt():
    """test/data/ppt/lighthouse-rota.ppt: three slides (title and subtitle; a bulleted outline, a text box and speaker
    notes; a text box with non-Latin-1 text and a group), converted from flat ODF by LibreOffice like the .doc."""
    out = os.path.join(os.path.dirname(__file__), '..', 'test', 'data', 'ppt')
    os.makedirs(out, exist_ok=True)
    convert(FODP, 'lighthouse-rota.fodp', 'ppt:MS PowerPoint 97', os.path.join(out, 'lighthouse-rota.ppt'))


def convert(source, name, filter_, dest):
    """Writes `source` to a temporary `name` and converts it with LibreOffice to `dest`; without soffice, `dest` is kept."""
    soffice = shutil.which('soffice')
    if not soffice:
        print(f'soffice not found: keeping {dest} as it is')
        return
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, name)
        open(src, 'w', encoding='utf-8').write(source)
        subprocess.run([soffice, '--headless', f'-env:UserInstallation=file://{tmp}/profile', '--convert-to', filter_,
                        '--outdir', tmp, src], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        made = os.path.join(tmp, os.path.splitext(name)[0] + os.path.splitext(dest)[1])
        if not os.path.exists(made):  # soffice exits 0 when the component (Writer, Impress) is not installed
            print(f'soffice wrote nothing for {name}: keeping {dest} as it is')
            return
        shutil.copy(made, dest)


def make_doc():
    convert(FODT, 'parish-newsletter.fodt', 'doc:MS Word 97', os.path.join(OUT, 'parish-newsletter.doc'))
    expected('parish-newsletter.doc', [
        'Bell Tower Restoration',
        'The bell tower scaffolding comes down in April',
        'and the bells ring again at Easter.',
        'Choir practice moves to Thursday evenings in the vestry',
        'At Advent the choir sings well‑known carols at the Christmas market.',
        'The “Bells & Ropes” open day runs 10–12 May — bring sturdy shoes.',
        "St Brendan's Parish Newsletter, spring edition",
        'Printed by volunteers at the church hall',
        'Weather permitting, according to the stonemason.',
        'Figures audited by the parish treasurer in March.',
    ])


# --- Word 6.0/95 (nFib 101-105): no tool here writes them, so the WordDocument stream is laid out by hand after the
# Word 6 File Information Block (wvWare's wvGetFIB6): 8-bit text at fcMin, eight subdocument lengths at 0x34, the
# piece table (CLX) at fcClx 0x160 when the file is fast-saved ("complex"). ---
WORD6_BODY = (b'Minutes of the Allotment Society, March 1996\r'
              b'Rents rise by a fifth\x02 from May; the \x93Harvest Supper\x94 is on 14\x9615 September.\r'
              b'Plot\x07Holder\x07\x07Plot 7\x07Ren\xe9e Walsh\x07\x07'
              b'Seed orders go to \x13 HYPERLINK "http://allotments.example.org" \x14our website\x15 by Friday.\r'
              b'The water\x1etrough is re\x1fpaired.\r')
WORD6_FOOTNOTES = b'\x02 Agreed by a show of hands.\r'
WORD6_HEADERS = b'\r\rAllotment Society \x96 minutes\r\r'


def word6_stream(texts, lid=0x0409, complex_=False, encrypted=False, clx_at=None):
    """A Word 6 WordDocument stream holding the body and subdocuments of `texts` (body, footnotes, headers)."""
    text = b''.join(texts)
    fc_min = 0x200
    fib = bytearray(0x200)
    struct.pack_into('<HHHH', fib, 0, 0xA5DC, 101, 0x6027, lid)
    struct.pack_into('<H', fib, 0x0A, (0x0004 if complex_ else 0) | (0x0100 if encrypted else 0))
    struct.pack_into('<II', fib, 0x18, fc_min, fc_min + len(text))
    struct.pack_into('<8i', fib, 0x34, *[len(t) for t in texts], *[0] * (8 - len(texts)))
    if not complex_:
        return bytes(fib) + text
    # Fast-saved: the text sits in three pieces, stored out of order, and the piece table says where each one is.
    cuts = [0, len(text) // 3, 2 * len(text) // 3, len(text)]
    chunks = [text[cuts[i]:cuts[i + 1]] for i in range(3)]
    stored = chunks[2] + chunks[0] + chunks[1]
    fcs = [fc_min + len(chunks[2]), fc_min + len(chunks[2]) + len(chunks[0]), fc_min]
    plc = b''.join(struct.pack('<I', c) for c in cuts) + b''.join(struct.pack('<HIH', 0, fc, 0) for fc in fcs)
    clx = b'\x01' + struct.pack('<H', 3) + b'\x00\x00\x00' + b'\x02' + struct.pack('<I', len(plc)) + plc
    fc_clx = fc_min + len(stored)
    struct.pack_into('<II', fib, 0x160, clx_at if clx_at is not None else fc_clx, len(clx))
    return bytes(fib) + stored + clx


def make_word6():
    out = os.path.join(os.path.dirname(__file__), '..', 'test', 'data', 'doc')
    os.makedirs(out, exist_ok=True)
    texts = [WORD6_BODY, WORD6_FOOTNOTES, WORD6_HEADERS]
    files = {
        'word6-minutes.doc': word6_stream(texts),
        'word6-fast-saved.doc': word6_stream(texts, complex_=True),
        'word6-cp1251.doc': word6_stream(['Протокол собрания садоводов\r'.encode('cp1251')], lid=0x0419),
        'word6-encrypted.doc': word6_stream(texts, encrypted=True),
        'word6-bad-pieces.doc': word6_stream(texts, complex_=True, clx_at=0x7FFFFF00),
    }
    for name, stream in files.items():
        open(os.path.join(out, name), 'wb').write(cfb({'WordDocument': stream}))
    open(os.path.join(out, 'word6-objects.doc'), 'wb').write(cfb({'WordDocument': word6_stream([b'See the attached notes.\r']), 'ObjectPool': OBJECT_POOL}))
    make_ole_object_msg()


def make_ole_object_msg():
    """A message (as Outlook saves RTF mail) whose attachments are a Word document inserted as an OLE object
    (ATTACH_OLE = 6: the document's own storage under __substg1.0_3701000D), a second such object under the same name,
    and a file attached by reference (no data)."""
    doc = {'\x01CompObj': comp_obj('Microsoft Word 6.0 Document'), 'WordDocument': word6_stream([b'Quay repairs start on Monday.\r']),
           'Data': b''}
    ole = props(b'\0' * 8, {0x37050003: 6}, {0x3001001F: u('Quay repairs.doc')})
    ole['__substg1.0_3701000D'] = doc
    twin = props(b'\0' * 8, {0x37050003: 6}, {0x3001001F: u('Quay repairs.doc')})
    twin['__substg1.0_3701000D'] = {**doc, 'WordDocument': word6_stream([b'The slipway reopens on Friday.\r'])}
    by_ref = props(b'\0' * 8, {0x37050003: 2}, {0x3001001F: u('Tide tables.pdf'), 0x3707001F: u('Tide tables.pdf'),
                                                  0x370D001F: u('\\\\harbour\\share\\Tide tables.pdf')})
    msg = message(32, 'Quay repairs', ('Rhys Morgan', 'rhys@example.org'), datetime(2024, 6, 10, 8, 0, tzinfo=timezone.utc),
                  [('Harbour Office', 'office@example.org', 1)], [ole, by_ref, twin], body='Details attached.')
    out = os.path.join(os.path.dirname(__file__), '..', 'test', 'data', 'msg')
    with open(os.path.join(out, 'ole-object.msg'), 'wb') as f:
        f.write(cfb(msg))


def comp_obj(user_type):
    """CompObj (MS-OLEDS 2.3.8): a 28-byte header, then the user type as a length-prefixed ANSI string."""
    s = user_type.encode('latin-1') + b'\0'
    return struct.pack('<HHII', 1, 0xFFFE, 0x0A03, 0xFFFFFFFF) + b'\0' * 16 + struct.pack('<I', len(s)) + s + b'\0' * 12


def ole_package(filename, data):
    """Packager's Ole10Native: size, 2, name, source path, 0, 3 (embedded), temp path, then the file."""
    temp = b'C:\\Temp\\' + filename.encode() + b'\0'
    body = (struct.pack('<H', 2) + filename.encode() + b'\0' + b'C:\\Users\\me\\' + filename.encode() + b'\0' + struct.pack('<HH', 0, 3)
            + struct.pack('<I', len(temp)) + temp + struct.pack('<I', len(data)) + data)
    return struct.pack('<I', len(body)) + body


# Objects embedded in a Word document's ObjectPool: a file dropped in as a package, an RTF object, a whole Word
# document stored as a storage (with an empty Data stream, as Word writes), a link (no data), and a package whose
# declared size is a lie.
OBJECT_POOL = {
    '_1001': {'\x01CompObj': comp_obj('OLE Package'), '\x01Ole10Native': ole_package('notes.txt', b'Bring gloves for the hedge on Saturday.\n')},
    '_1002': {'\x01CompObj': comp_obj('Rich Text Document'), 'Contents': rb'{\rtf1\ansi\deff0{\fonttbl{\f0 Arial;}}\f0 The compost bins are full.\par}'},
    '_1003': {'\x01CompObj': comp_obj('Microsoft Word 6.0 Document'), 'WordDocument': word6_stream([b'The shed key is under the third pot.\r']),
              'Data': b'', '\x03ObjInfo': b'\0\0\x03\0\x04\0'},
    '_1004': {'\x01Ole': b'\x01\0\0\x02' + b'\0' * 16, '\x03ObjInfo': b'\0\0\x03\0\x04\0'},
    '_1005': {'\x01CompObj': comp_obj('OLE Package'), '\x01Ole10Native': struct.pack('<I', 0xFFFFFFF0) + b'\x02\0liar.txt\0'},
}


if __name__ == '__main__':
    os.makedirs(OUT, exist_ok=True)
    os.makedirs(EXPECTED, exist_ok=True)
    make_msg()
    make_rtf_msg()
    make_ansi_msg()
    make_doc()
    make_ppt()
    make_word6()
    print('OLE2 fixtures written to', os.path.abspath(OUT))
