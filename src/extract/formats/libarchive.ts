// 7-Zip, RAR (4 and 5), Microsoft Cabinet and cpio archives, and tar archives compressed with bzip2, xz or compress
// (.tar.bz2, .tar.xz, .tar.Z), read through libarchive compiled to WebAssembly (libarchive-wasm): no native code, and
// a fault in it is a trap, an error for this file only. Members are read by their own formats' extractors as a zip's
// are (archive.ts): each under the size cap, hidden files passed over, what is decompressed in all capped.
import { readFile } from 'node:fs/promises';
import type { ArchiveReader as Reader, LibarchiveWasm } from 'libarchive-wasm';
import { register } from '../registry.js';
import { FileError } from '../../errors.js';
import { readMembers, isDocument } from './archive.js';
import type { Attachment } from '../attachments.js';
import type { ExtractContext } from '../types.js';

// Compressed single streams: libarchive reads them when they hold a tar, not a lone compressed file.
const STREAM_TYPES = new Set(['bz2', 'xz', 'Z']);
const NAMES: Record<string, string> = { '7z': '7-Zip', rar: 'RAR', cab: 'cabinet', cpio: 'cpio', bz2: 'bzip2', xz: 'xz', Z: 'compress (.Z)' };

let module: Promise<LibarchiveWasm> | undefined;

/** The WebAssembly module, compiled once per process; dropped after a fault so the next archive gets a fresh one. */
function archiveModule(): Promise<LibarchiveWasm> {
  module ??= import('libarchive-wasm').then((m) => m.libarchiveWasm());
  return module;
}

register(['7z', 'rar', 'cab', 'cpio', 'bz2', 'xz', 'Z'], {
  version: '1',
  async extract(ctx) {
    const kind = NAMES[ctx.type] ?? ctx.type;
    const data = await readFile(ctx.absPath);
    const { ArchiveReader } = await import('libarchive-wasm');
    const fault = (e: unknown): FileError => {
      module = undefined;
      if (STREAM_TYPES.has(ctx.type)) return new FileError('skipped', 'type', `a ${kind} file with no tar archive readable in it`);
      return new FileError('failed', 'corrupt', `${kind}: ${(e instanceof Error && e.message) || 'not readable'}`);
    };
    let reader: Reader;
    try {
      reader = new ArchiveReader(await archiveModule(), new Int8Array(data.buffer, data.byteOffset, data.length));
    } catch (e) {
      throw fault(e);
    }
    try {
      return { sections: await readMembers(ctx, members(ctx, reader, kind)) };
    } catch (e) {
      if (e instanceof FileError || ctx.opts.signal?.aborted) throw e;
      throw fault(e);
    } finally {
      try {
        reader.free();
      } catch {
        module = undefined; // a module that faulted may fault again here: the next archive gets a fresh one
      }
    }
  },
});

/**
 * The archive's regular files in order; encrypted, oversized or damaged ones as unreadable members. Damage after the
 * first member ends the listing with a warning: what was read stays.
 */
async function* members(ctx: ExtractContext, reader: Reader, kind: string): AsyncGenerator<Attachment> {
  const max = ctx.opts.maxFileBytes;
  const budget = ctx.opts.zip.maxTotalBytes;
  const none = Buffer.alloc(0);
  let total = 0;
  let entries = 0;
  const damaged = (why: string) => ctx.warnings.push(`${kind}: damaged after ${entries} member${entries === 1 ? '' : 's'} (${why}); read up to it`);
  for (;;) {
    let e: ReturnType<Reader['nextEntry']>;
    try {
      e = reader.nextEntry();
    } catch (err) {
      if (!entries) throw err;
      damaged(err instanceof Error ? err.message : String(err));
      return;
    }
    if (!e) break;
    if (++entries > ctx.opts.zip.maxEntries) throw new FileError('failed', 'zip-bomb', `${kind}: more than ${ctx.opts.zip.maxEntries} entries`);
    // The build has no locale: a name it cannot convert comes back empty; the member is still read, by its content.
    const name = e.getPathname() || `member ${entries}`;
    if (e.getFiletype() !== 'File' || !isDocument(name)) continue;
    if (e.isEncrypted()) {
      yield { name, bytes: none, unreadable: 'encrypted: password-protected archive member' };
      continue;
    }
    // The size comes through as its low 32 bits, signed: a member of 2-4 GB reads negative, one over 4 GB as its
    // remainder. Negative is too large; the remainder is caught below, by asking for a byte more than it says.
    const size = e.getSize();
    if (size < 0 || size > max) {
      yield { name, bytes: none, unreadable: `skipped: size: ${size < 0 ? 'over 2 GB' : `${size} bytes`} > ${max}` };
      continue;
    }
    // What all members decompress to is capped as a zip's inflated bytes are: a bomb ends as one.
    if (total + size > budget) throw new FileError('failed', 'zip-bomb', `${kind}: members decompress to more than ${budget} bytes`);
    total += size;
    if (!size) continue; // empty, or a size the format does not give: nothing to read
    let bytes: Int8Array;
    try {
      e.readCalled = true;
      bytes = reader.readData(size + 1);
    } catch (err) {
      yield { name, bytes: none, unreadable: `corrupt: ${kind} member is damaged (${err instanceof Error ? err.message : String(err)})` };
      continue;
    }
    if (bytes.length !== size) {
      const why = bytes.length > size ? 'larger than its header says (over 4 GB)' : `damaged (${bytes.length} of ${size} bytes)`;
      yield { name, bytes: none, unreadable: `${bytes.length > size ? 'skipped: size' : 'corrupt'}: ${kind} member is ${why}` };
      continue;
    }
    yield { name, bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length) };
  }
  const error = reader.libarchive.error_string(reader.archive);
  // Nothing listed: headers encrypted (7-Zip's "encrypt file names"), or not an archive libarchive can open.
  if (!entries) {
    if (reader.hasEncryptedData()) throw new FileError('failed', 'encrypted', `password-protected ${kind} archive`);
    throw new Error(error || 'no members found');
  }
  if (error) damaged(error);
}
