// Tar archives (.tar, .tar.gz, .tgz) and gzip-compressed files (.gz): read as a stream, never held whole. A tar's
// members, and a gzip's one file, are read by their own formats' extractors as zip members are (archive.ts): one at a
// time, each under the size cap, hidden files passed over. What is inflated in all is capped as a zip's is, so a gzip
// bomb ends as one.
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { createGunzip } from 'node:zlib';
import { register } from '../registry.js';
import { FileError } from '../../errors.js';
import { readMembers, isDocument } from './archive.js';
import { ByteStream } from '../byte-stream.js';
import type { Attachment } from '../attachments.js';
import type { ExtractContext } from '../types.js';

const BLOCK = 512;
const USTAR = Buffer.from('ustar');

register(['tar', 'gz'], {
  version: '1',
  async extract(ctx) {
    const file = createReadStream(ctx.absPath, { signal: ctx.opts.signal });
    const bytes = ctx.type === 'gz' ? file.pipe(createGunzip()) : file;
    const stream = new ByteStream(bytes, ctx.opts.zip.maxTotalBytes, ctx.type === 'gz' ? 'gzip' : 'tar');
    try {
      const head = await stream.peek(BLOCK);
      if (ctx.type === 'gz' && !isTarHeader(head)) return { sections: await readMembers(ctx, gzipMember(ctx, stream)) };
      if (!isTarHeader(head)) throw new FileError('failed', 'corrupt', 'tar: the first header is not a tar header');
      return { sections: await readMembers(ctx, tarMembers(stream, ctx.opts.maxFileBytes)) };
    } finally {
      stream.close();
    }
  },
});

/** A gzip's one file, named as the .gz was less its suffix ("rota.csv.gz" is "rota.csv"). */
async function* gzipMember(ctx: ExtractContext, stream: ByteStream): AsyncGenerator<Attachment> {
  const name = path.basename(ctx.absPath).replace(/\.gz$/i, '') || 'content';
  const max = ctx.opts.maxFileBytes;
  const bytes = await stream.read(max + 1);
  if (bytes.length > max) yield { name, bytes: Buffer.alloc(0), unreadable: `skipped: size: inflates past ${max} bytes` };
  else yield { name, bytes };
}

/** A tar's regular files in order, with GNU long names and pax paths; links, folders and devices passed over. */
async function* tarMembers(stream: ByteStream, maxBytes: number): AsyncGenerator<Attachment> {
  let longName: string | undefined;
  for (;;) {
    const h = await stream.read(BLOCK);
    if (h.length < BLOCK || h.every((b) => b === 0)) return; // the end blocks, or a tar cut short after a member
    if (!isTarHeader(h)) throw new FileError('failed', 'corrupt', 'tar: a header fails its checksum');
    const size = octal(h, 124, 12);
    const type = String.fromCharCode(h[156]!);
    const padded = Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L' || type === 'x') {
      // The next member's name: a GNU long name, or a pax header's path record.
      if (size > 64 * 1024) throw new FileError('failed', 'corrupt', `tar: a ${size}-byte name header`);
      const data = (await stream.read(padded)).subarray(0, size);
      longName = type === 'L' ? cString(data, 0, size) : (paxPath(data) ?? longName);
      continue;
    }
    const name = longName ?? headerName(h);
    longName = undefined;
    const regular = type === '0' || type === '\0' || type === '7';
    if (!regular || !isDocument(name)) {
      await stream.skip(padded);
      continue;
    }
    if (size > maxBytes) {
      await stream.skip(padded);
      yield { name, bytes: Buffer.alloc(0), unreadable: `skipped: size: ${size} bytes > ${maxBytes}` };
      continue;
    }
    const bytes = (await stream.read(padded)).subarray(0, size);
    if (bytes.length < size) throw new FileError('failed', 'corrupt', `tar: ${name} is cut short`);
    yield { name, bytes };
  }
}

/** A ustar or old-style header whose checksum holds (its checksum field counted as spaces). */
function isTarHeader(h: Buffer): boolean {
  if (h.length < BLOCK || h.every((b) => b === 0)) return false;
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
  return octal(h, 148, 8) === sum;
}

function headerName(h: Buffer): string {
  const name = cString(h, 0, 100);
  const prefix = h.subarray(257, 262).equals(USTAR) ? cString(h, 345, 155) : '';
  return prefix ? `${prefix}/${name}` : name;
}

/** An octal field, or a base-256 one (first byte 0x80: GNU's form for sizes past 8 GB). */
function octal(h: Buffer, at: number, len: number): number {
  if (h[at]! & 0x80) {
    let n = 0;
    for (let i = at + 1; i < at + len; i++) n = n * 256 + h[i]!;
    return n;
  }
  const s = cString(h, at, len).trim();
  return s ? parseInt(s, 8) || 0 : 0;
}

function cString(b: Buffer, at: number, len: number): string {
  const end = b.indexOf(0, at);
  return b.toString('utf8', at, end < 0 || end > at + len ? at + len : end);
}

/** A pax extended header's "path" record ("<len> path=<value>\n"), if it has one. */
function paxPath(data: Buffer): string | undefined {
  const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString('utf8'));
  return m?.[1];
}
