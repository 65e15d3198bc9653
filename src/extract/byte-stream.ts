// Reads a stream a given number of bytes at a time (tar headers, members), pulling chunks only as needed, so an archive
// is never held whole; what it yields in all is capped, so an inflating stream (a gzip bomb) fails as one.
import type { Readable } from 'node:stream';
import { FileError } from '../errors.js';
import { msg } from './zip.js';

export class ByteStream {
  private readonly chunks: AsyncIterator<Buffer>;
  /** Pulled and not yet read, in order; `held` bytes in all. */
  private parts: Buffer[] = [];
  private held = 0;
  private total = 0;
  private ended = false;

  constructor(private readonly source: Readable, private readonly maxTotal: number, private readonly what: string) {
    this.chunks = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  /** The next `n` bytes without reading them (fewer at the end). */
  async peek(n: number): Promise<Buffer> {
    await this.fill(n);
    this.join();
    return (this.parts[0] ?? Buffer.alloc(0)).subarray(0, n);
  }

  /** The next `n` bytes (fewer at the end of the stream). */
  async read(n: number): Promise<Buffer> {
    await this.fill(n);
    if ((this.parts[0]?.length ?? 0) < n) this.join();
    const first = this.parts[0];
    if (!first) return Buffer.alloc(0);
    const out = first.subarray(0, n);
    if (out.length === first.length) this.parts.shift();
    else this.parts[0] = first.subarray(n);
    this.held -= out.length;
    return out;
  }

  /** Passes over `n` bytes, a megabyte at a time. */
  async skip(n: number): Promise<void> {
    for (let left = n; left > 0; ) {
      const got = await this.read(Math.min(left, 1 << 20));
      if (!got.length) return;
      left -= got.length;
    }
  }

  close(): void {
    this.source.destroy();
  }

  private async fill(n: number): Promise<void> {
    while (this.held < n && !this.ended) {
      let r: IteratorResult<Buffer>;
      try {
        r = await this.chunks.next();
      } catch (e) {
        throw new FileError('failed', 'corrupt', `${this.what}: ${msg(e)}`);
      }
      if (r.done) {
        this.ended = true;
        return;
      }
      this.total += r.value.length;
      if (this.total > this.maxTotal) throw new FileError('failed', 'zip-bomb', `${this.what}: inflates past ${this.maxTotal} bytes`);
      this.parts.push(r.value);
      this.held += r.value.length;
    }
  }

  /** One buffer of everything held: copied once, however many chunks a large member came in. */
  private join(): void {
    if (this.parts.length > 1) this.parts = [Buffer.concat(this.parts)];
  }
}
