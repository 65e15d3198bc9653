// Shared, bomb-safe zip reader for every zip-based format (docx, xlsx, xlsb, pptx, odt, ods, epub, vsdx, xps).
import { readFile, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { crc32, createInflateRaw } from 'node:zlib';
import yauzl from 'yauzl';
import { FileError } from '../errors.js';
import { checkDirectory, isOpaquePart } from './zip-directory.js';
import { decodeUnicode } from './decode.js';
import { repairPackage, salvageZip } from './zip-salvage.js';

export interface ZipLimits {
  maxEntries: number;
  maxTotalBytes: number;
  maxRatio: number;
}

/** One entry after it was inflated under the limits: its original compressed bytes with the real size and CRC. */
export interface VettedEntry {
  name: string;
  method: number;
  crc: number;
  size: number;
  compressed: Buffer;
}

// Entry sizes are checked by inflate() below, which can tell a bomb (too many bytes) from a short entry.
const YAUZL_OPTIONS = { lazyEntries: true, autoClose: false, validateEntrySizes: false, strictFileNames: false };
// A damaged zip is read whole to find its entries; past this size it stays unreadable.
const MAX_SALVAGE_BYTES = 256 * 1024 * 1024;

export class ZipArchive {
  private inflated = 0;
  private constructor(
    private readonly zip: yauzl.ZipFile,
    private readonly entries: Map<string, yauzl.Entry>,
    private readonly limits: ZipLimits,
    /** Set when the zip's directory was lost and its entries were found from their local headers (zip-salvage.ts). */
    readonly salvaged?: { reason: string; entries: number; skipped: number },
  ) {}

  /**
   * Opens the archive and vets the central directory before anything is inflated. A zip whose directory is lost (cut
   * short) is opened through the entries found whole before the damage.
   */
  static async open(absPath: string, limits: ZipLimits): Promise<ZipArchive> {
    let zip: yauzl.ZipFile;
    let salvaged: ZipArchive['salvaged'];
    try {
      zip = await yauzl.openPromise(absPath, YAUZL_OPTIONS);
    } catch (e) {
      ({ zip, salvaged } = await salvage(absPath, limits, e));
    }
    for (;;) {
      try {
        if (zip.entryCount > limits.maxEntries) {
          throw new FileError('failed', 'zip-bomb', `${zip.entryCount} entries > ${limits.maxEntries}`);
        }
        const list = await readDirectory(zip);
        checkDirectory(list, limits);
        return new ZipArchive(zip, new Map(list.map((e) => [e.fileName, e])), limits, salvaged);
      } catch (e) {
        zip.close();
        if (e instanceof FileError) throw e;
        // A directory that does not read where its end record points (bytes before the first entry: a self-extractor's
        // stub, a header some tool prepended) is rebuilt from the local headers, once.
        if (salvaged) throw new FileError('failed', 'corrupt', `bad zip directory: ${msg(e)}`);
        ({ zip, salvaged } = await salvage(absPath, limits, e, 'bad zip directory: '));
      }
    }
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The uncompressed size the directory declares for an entry (what inflating it may not pass). */
  declaredSize(name: string): number {
    return this.entry(name).uncompressedSize;
  }

  /** Inflates one entry with a hard byte cap: declared sizes can lie, so the running total is enforced too. */
  async read(name: string, maxBytes = Infinity): Promise<Buffer> {
    const entry = this.entry(name);
    let stream: Readable;
    try {
      stream = (await openReadStream(this.zip, entry)) as Readable;
    } catch (e) {
      throw new FileError('failed', 'corrupt', `zip entry ${name}: ${msg(e)}`);
    }
    const chunks: Buffer[] = [];
    await this.inflate(entry, stream, maxBytes, (c) => chunks.push(c));
    return Buffer.concat(chunks);
  }

  async readText(name: string, maxBytes?: number): Promise<string> {
    return this.decodeText(await this.read(name, maxBytes));
  }

  /** XML text in the Unicode form its bytes show (XPS writes its pages in UTF-16), else UTF-8. */
  decodeText(b: Buffer): string {
    return decodeUnicode(b, 'utf8');
  }

  /**
   * Inflates every entry under the same caps as read(), keeping only the compressed bytes. A parser given a
   * zip rebuilt from these (zip-write.ts) can only inflate what was counted here, whatever it chooses to read.
   * Pictures and embedded objects (isOpaquePart) go in empty: no text comes from them.
   */
  async vetAll(): Promise<VettedEntry[]> {
    const out: VettedEntry[] = [];
    for (const entry of this.entries.values()) {
      const name = entry.fileName;
      this.entry(name);
      if (isOpaquePart(name)) {
        out.push({ name, method: 0, crc: 0, size: 0, compressed: Buffer.alloc(0) });
        continue;
      }
      if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
        throw new FileError('failed', 'corrupt', `zip entry ${name}: unsupported compression method ${entry.compressionMethod}`);
      }
      let compressed: Buffer;
      try {
        compressed = await collect((await openReadStream(this.zip, entry, { decodeFileData: false })) as Readable);
      } catch (e) {
        throw new FileError('failed', 'corrupt', `zip entry ${name}: ${msg(e)}`);
      }
      // Inflated here from the very bytes that will be copied, not re-read from the file.
      // (An empty entry may be stored as zero bytes even with method 8, which no inflater accepts.)
      const source = Readable.from(compressed.length ? [compressed] : []);
      const stream = entry.compressionMethod === 8 && compressed.length ? source.pipe(createInflateRaw()) : source;
      let crc = 0;
      const size = await this.inflate(entry, stream, Infinity, (c) => (crc = crc32(c, crc)));
      // Such an entry is written stored: SheetJS's inflater, given none of its bytes, ran 10^8 turns and took 1.3 GB.
      out.push({ name, method: compressed.length ? entry.compressionMethod : 0, crc, size, compressed });
    }
    return this.salvaged ? repairPackage(out) : out;
  }

  close(): void {
    this.zip.close();
  }

  private entry(name: string): yauzl.Entry {
    const entry = this.entries.get(name);
    if (!entry) throw new FileError('failed', 'corrupt', `missing zip entry ${name}`);
    if (entry.isEncrypted()) throw new FileError('failed', 'encrypted', `zip entry ${name} is encrypted`);
    return entry;
  }

  /** Drains an entry's inflated stream into `onChunk`, failing as soon as a cap is passed; returns the byte count. */
  private async inflate(entry: yauzl.Entry, stream: Readable, maxBytes: number, onChunk: (c: Buffer) => void): Promise<number> {
    const name = entry.fileName;
    const declared = entry.uncompressedSize;
    const budget = this.limits.maxTotalBytes - this.inflated;
    let got = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        got += chunk.length;
        this.inflated += chunk.length;
        // More bytes than the directory declared is how a lying bomb shows itself: stop at the first excess chunk.
        const over = got > declared ? `inflates past its declared ${declared} bytes`
          : got > maxBytes ? `inflates past ${maxBytes} bytes`
          : got > budget ? `passes the archive's ${this.limits.maxTotalBytes}-byte inflate budget`
          : undefined;
        if (over) {
          stream.destroy();
          throw new FileError('failed', 'zip-bomb', `entry ${name} ${over}`);
        }
        onChunk(chunk);
      }
    } catch (e) {
      if (e instanceof FileError) throw e;
      throw new FileError('failed', 'corrupt', `zip entry ${name}: ${msg(e)}`);
    }
    if (got < declared) throw new FileError('failed', 'corrupt', `zip entry ${name}: ${got} bytes, ${declared} declared`);
    return got;
  }
}

/** An extraction's file, limits and warnings, as withZip needs them. */
export interface ZipTarget {
  absPath: string;
  opts: { zip: ZipLimits };
  warnings: string[];
}

/** The archive rebuilt from the entries found whole behind their local headers, or the reason it cannot be. */
async function salvage(absPath: string, limits: ZipLimits, e: unknown, what = ''): Promise<{ zip: yauzl.ZipFile; salvaged: NonNullable<ZipArchive['salvaged']> }> {
  const found = (await stat(absPath)).size <= MAX_SALVAGE_BYTES ? salvageZip(await readFile(absPath), limits.maxEntries + 1) : undefined;
  // Every entry before the damage encrypted (a password-protected archive cut short): it says so, as a whole one does.
  if (found && !found.data && found.encrypted === found.skipped) throw new FileError('failed', 'encrypted', `a damaged zip whose entries are all encrypted (${what}${msg(e)})`);
  if (!found?.data) throw new FileError('failed', 'corrupt', what ? `${what}${msg(e)}` : `not a readable zip: ${msg(e)}`);
  return { zip: await yauzl.fromBufferPromise(found.data, YAUZL_OPTIONS), salvaged: { reason: `${what}${msg(e)}`, entries: found.entries, skipped: found.skipped } };
}

/** Opens the target's file, runs `fn`, always closes; a zip opened through its salvaged entries says so. */
export async function withZip<T>(target: ZipTarget, fn: (z: ZipArchive) => Promise<T>): Promise<T> {
  const z = await ZipArchive.open(target.absPath, target.opts.zip);
  if (z.salvaged) target.warnings.push(salvageWarning(z.salvaged));
  try {
    return await fn(z);
  } catch (e) {
    // What the damage took may be why the file could not be read: the reason says it was damaged.
    if (!z.salvaged || !(e instanceof FileError)) throw e;
    const detail = e.message.startsWith(`${e.reason}: `) ? e.message.slice(e.reason.length + 2) : '';
    throw new FileError(e.status, e.reason, `${detail ? `${detail}; ` : ''}a damaged zip (${z.salvaged.reason}), read through the entries before the damage`);
  } finally {
    z.close();
  }
}

function readDirectory(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const list: yauzl.Entry[] = [];
    zip.on('entry', (e: yauzl.Entry) => {
      list.push(e);
      zip.readEntry();
    });
    zip.on('end', () => resolve(list));
    zip.on('error', reject);
    zip.readEntry();
  });
}

function openReadStream(zip: yauzl.ZipFile, entry: yauzl.Entry, options: yauzl.ZipFileOptions = {}): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, options, (err, s) => (err || !s ? reject(err ?? new Error('no stream')) : resolve(s)));
  });
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

function salvageWarning(s: NonNullable<ZipArchive['salvaged']>): string {
  const left = s.skipped ? ` (${s.skipped} more encrypted or compressed in a way not read)` : '';
  return `damaged zip (${s.reason}): read through the ${s.entries} entr${s.entries > 1 ? 'ies' : 'y'} found whole before the damage${left}; what followed is missing`;
}

export function msg(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
