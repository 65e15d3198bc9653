// The pictures of a PowerPoint 97-2003 file: its "Pictures" stream holds every bitmap once, as OfficeArt BLIP records
// (MS-ODRAW). JPEG, PNG and TIFF pictures are handed on as files; metafiles and DIBs are drawings or need a header
// written, and are passed over.
import type { Cfb } from './cfb.js';
import { rootEntry } from './cfb.js';
import type { Attachment } from './attachments.js';
import { pageSized } from './package-pictures.js';
import { MAX_ATTACHMENTS } from './attachments.js';
import { recordAt } from './ppt-records.js';

const BLIP_EXT: Record<number, string> = { 0xf01d: 'jpg', 0xf02a: 'jpg', 0xf01e: 'png', 0xf029: 'tif' };
// Each BLIP starts with a 16-byte id, a second one when its instance is odd, then a one-byte tag.
const UID_BYTES = 16;
const TAG_BYTES = 1;

/** The page-sized pictures, in the order they are stored, each under the size cap; no more than are read. */
export function pptPictures(cfb: Cfb, maxBytes: number): Attachment[] {
  const entry = rootEntry(cfb, 'Pictures');
  if (entry?.kind !== 'stream') return [];
  const stream = cfb.read(entry);
  const out: Attachment[] = [];
  for (let pos = 0, n = 0; pos < stream.length; ) {
    const r = recordAt(stream, pos, stream.length);
    if (!r) break;
    pos = r.end;
    const ext = BLIP_EXT[r.type];
    if (!ext) continue;
    const start = r.start + UID_BYTES * (r.instance & 1 ? 2 : 1) + TAG_BYTES;
    if (start >= r.end || r.end - start > maxBytes) continue;
    const bytes = stream.subarray(start, r.end);
    n++;
    // Only a picture whose header gives its size: anything else in a BLIP is not a picture to read.
    if (pageSized(bytes, false)) out.push({ name: `picture ${n}.${ext}`, bytes });
    if (out.length >= MAX_ATTACHMENTS) break;
  }
  return out;
}
