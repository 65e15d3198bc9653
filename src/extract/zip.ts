// Shared, bomb-safe zip reader for every zip-based format (docx, xlsx, pptx, odt, epub).
import yauzl from 'yauzl';
import { FileError } from '../errors.js';

export interface ZipLimits {
  maxEntries: number;
  maxTotalBytes: number;
  maxRatio: number;
}

// Small entries compress absurdly well (e.g. 4 KB of spaces); the ratio check only means something above this.
const RATIO_MIN_BYTES = 1024 * 1024;

export class ZipArchive {
  private inflated = 0;
  private constructor(
    private readonly zip: yauzl.ZipFile,
    private readonly entries: Map<string, yauzl.Entry>,
    private readonly limits: ZipLimits,
  ) {}

  /** Opens the archive and vets the central directory before anything is inflated. */
  static async open(absPath: string, limits: ZipLimits): Promise<ZipArchive> {
    let zip: yauzl.ZipFile;
    try {
      zip = await yauzl.openPromise(absPath, { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false });
    } catch (e) {
      throw new FileError('failed', 'corrupt', `not a readable zip: ${msg(e)}`);
    }
    try {
      if (zip.entryCount > limits.maxEntries) {
        throw new FileError('failed', 'zip-bomb', `${zip.entryCount} entries > ${limits.maxEntries}`);
      }
      const entries = await readDirectory(zip);
      let total = 0;
      let totalCompressed = 0;
      for (const e of entries.values()) {
        total += e.uncompressedSize;
        totalCompressed += e.compressedSize;
        if (e.uncompressedSize > RATIO_MIN_BYTES && e.uncompressedSize > limits.maxRatio * Math.max(1, e.compressedSize)) {
          throw new FileError('failed', 'zip-bomb', `entry ${e.fileName} ratio ${Math.round(e.uncompressedSize / Math.max(1, e.compressedSize))} > ${limits.maxRatio}`);
        }
      }
      if (total > limits.maxTotalBytes) {
        throw new FileError('failed', 'zip-bomb', `declared ${total} uncompressed bytes > ${limits.maxTotalBytes}`);
      }
      if (total > RATIO_MIN_BYTES && total > limits.maxRatio * Math.max(1, totalCompressed)) {
        throw new FileError('failed', 'zip-bomb', `overall ratio ${Math.round(total / Math.max(1, totalCompressed))} > ${limits.maxRatio}`);
      }
      return new ZipArchive(zip, entries, limits);
    } catch (e) {
      zip.close();
      if (e instanceof FileError) throw e;
      throw new FileError('failed', 'corrupt', `bad zip directory: ${msg(e)}`);
    }
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** Inflates one entry with a hard byte cap: declared sizes can lie, so the running total is enforced too. */
  async read(name: string, maxBytes = Infinity): Promise<Buffer> {
    const entry = this.entries.get(name);
    if (!entry) throw new FileError('failed', 'corrupt', `missing zip entry ${name}`);
    if (entry.isEncrypted()) throw new FileError('failed', 'encrypted', `zip entry ${name} is encrypted`);
    const cap = Math.min(maxBytes, this.limits.maxTotalBytes - this.inflated);
    let stream: NodeJS.ReadableStream;
    try {
      stream = await openReadStream(this.zip, entry);
    } catch (e) {
      throw new FileError('failed', 'corrupt', `zip entry ${name}: ${msg(e)}`);
    }
    const chunks: Buffer[] = [];
    let got = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        got += chunk.length;
        this.inflated += chunk.length;
        if (got > cap) {
          (stream as unknown as { destroy(): void }).destroy();
          throw new FileError('failed', 'zip-bomb', `entry ${name} inflates past ${cap} bytes`);
        }
        chunks.push(chunk);
      }
    } catch (e) {
      if (e instanceof FileError) throw e;
      throw new FileError('failed', 'corrupt', `zip entry ${name}: ${msg(e)}`);
    }
    return Buffer.concat(chunks);
  }

  async readText(name: string, maxBytes?: number): Promise<string> {
    return (await this.read(name, maxBytes)).toString('utf8');
  }

  close(): void {
    this.zip.close();
  }
}

/** Opens, runs `fn`, always closes. */
export async function withZip<T>(absPath: string, limits: ZipLimits, fn: (z: ZipArchive) => Promise<T>): Promise<T> {
  const z = await ZipArchive.open(absPath, limits);
  try {
    return await fn(z);
  } finally {
    z.close();
  }
}

function readDirectory(zip: yauzl.ZipFile): Promise<Map<string, yauzl.Entry>> {
  return new Promise((resolve, reject) => {
    const map = new Map<string, yauzl.Entry>();
    zip.on('entry', (e: yauzl.Entry) => {
      map.set(e.fileName, e);
      zip.readEntry();
    });
    zip.on('end', () => resolve(map));
    zip.on('error', reject);
    zip.readEntry();
  });
}

function openReadStream(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, s) => (err || !s ? reject(err ?? new Error('no stream')) : resolve(s)));
  });
}

export function msg(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
