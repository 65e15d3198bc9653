#!/usr/bin/env python3
"""Writes the archive fixtures under test/data/archives: the same two documents as a 7-Zip archive, an encrypted one
(file names too), a small bomb (zeros.7z), a tar.xz declaring a 3 GiB member (huge-member.tar.xz), and tar archives compressed with bzip2 and xz, for the libarchive reader's tests
(test/unit/extract-libarchive.test.ts). The .7z files need py7zr (pip install py7zr); tar.bz2 and tar.xz are Python's
own. Run from the repo root: python3 scripts/make_archive_fixtures.py
"""
import io, lzma, os, tarfile

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'data', 'archives')
MEMBERS = {
    'minutes/harbour-board.txt': b'The harbour board meets on the first Monday of each month.\n',
    'minutes/fees.csv': b'berth,fee\nnorth quay,40\nsouth quay,35\n',
    'minutes/.hidden-notes.txt': b'Not a document: hidden files are passed over.\n',
}

def tar_bytes(mode):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as t:
        for name, data in MEMBERS.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1767225600
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()

def main():
    os.makedirs(OUT, exist_ok=True)
    for ext, mode in (('tar.bz2', 'w:bz2'), ('tar.xz', 'w:xz')):
        with open(os.path.join(OUT, f'minutes.{ext}'), 'wb') as f:
            f.write(tar_bytes(mode))
    # A tar.xz whose one member's header declares 3 GiB, followed by 64 KB: the size reaches docproc as a negative
    # 32-bit number, and must be taken as too large, not read.
    info = tarfile.TarInfo('huge.txt')
    info.size = 3 * 1024 ** 3
    with open(os.path.join(OUT, 'huge-member.tar.xz'), 'wb') as f:
        f.write(lzma.compress(info.tobuf(format=tarfile.GNU_FORMAT) + b'A' * 65536))
    import py7zr
    # A small bomb: three members of 30 MB of zeros in a few kilobytes.
    with py7zr.SevenZipFile(os.path.join(OUT, 'zeros.7z'), 'w') as z:
        for i in range(3):
            z.writestr(bytes(30 * 1024 * 1024), f'zeros-{i + 1}.txt')
    for name, password in (('minutes.7z', None), ('minutes-locked.7z', 'tide')):
        path = os.path.join(OUT, name)
        with py7zr.SevenZipFile(path, 'w', password=password, header_encryption=bool(password)) as z:
            for member, data in MEMBERS.items():
                z.writestr(data, member)

if __name__ == '__main__':
    main()
