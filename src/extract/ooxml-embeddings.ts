// Objects embedded in a Word, Excel or PowerPoint 2007+ file (`word/embeddings/`, `xl/embeddings/`,
// `ppt/embeddings/`): a workbook pasted into a report, a PDF inserted as an object. Each becomes an attachment, read by
// its own extractor under the parent's limits (attachments.ts), as a .doc's embedded objects are.
import { FileError } from '../errors.js';
import { isCompoundFile, parseCfb } from './cfb.js';
import { oleObjectFile } from './ole-objects.js';
import type { Attachment } from './attachments.js';
import type { ZipArchive } from './zip.js';

const EMBEDDING = /^(word|xl|ppt)\/embeddings\/[^/]+$/i;

/** The package's embedded objects that hold a file, in name order ("oleObject2" before "oleObject10"). */
export async function ooxmlEmbeddings(z: ZipArchive, maxBytes: number): Promise<Attachment[]> {
  return packageParts(z, EMBEDDING, maxBytes, embeddedFile);
}

/**
 * The parts whose names match, in name order (or the parts listed, in their order), each read under `maxBytes` and
 * turned into attachments by `take`. A lying or oversized part costs its own text, never the document's: it is an
 * unreadable attachment.
 */
export async function packageParts(z: ZipArchive, names: RegExp | string[], maxBytes: number, take: (name: string, bytes: Buffer) => Attachment[]): Promise<Attachment[]> {
  const parts = Array.isArray(names) ? names.filter((n) => z.has(n)) : z.names().filter((n) => names.test(n));
  if (!Array.isArray(names)) parts.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const out: Attachment[] = [];
  for (const part of parts) {
    const base = part.slice(part.lastIndexOf('/') + 1);
    let bytes: Buffer;
    try {
      bytes = await z.read(part, maxBytes);
    } catch (e) {
      if (!(e instanceof FileError)) throw e;
      out.push({ name: base, bytes: Buffer.alloc(0), unreadable: `${e.status}: ${e.message}` });
      continue;
    }
    out.push(...take(base, bytes));
  }
  return out;
}

/** An OLE object (oleObjectN.bin) gives the file it wraps; anything else (a .xlsx, a .docx) is the file itself. */
function embeddedFile(name: string, bytes: Buffer): Attachment[] {
  if (!isCompoundFile(bytes)) return bytes.length ? [{ name, bytes }] : [];
  let cfb;
  try {
    cfb = parseCfb(bytes);
  } catch {
    return [{ name, bytes }]; // its own extractor says what is wrong
  }
  const file = oleObjectFile(cfb, cfb.root, name);
  return file ? [file] : [];
}
