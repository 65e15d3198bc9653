// HTTP for model sources: fail-fast connects, streamed downloads to a file with hashing, fsync and progress.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { DownloadProgress } from './options.js';

export interface HttpCtx {
  /** Max time until response headers: DNS failures and dead hosts must not stall the fallback chain. */
  connectTimeoutMs: number;
  /** Max time without a body byte once the transfer has started. */
  stallTimeoutMs?: number;
  /** A body larger than this is refused mid-transfer: a wrong or hostile server cannot fill the disk. */
  maxBytes?: number;
  source: string;
  onProgress?: (e: DownloadProgress) => void;
}

/** A source failed in an expected way (404, refused, timeout, mismatch): the next source is tried. */
export class SourceFailure extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = 'SourceFailure';
  }
}

/** A short, human reason for a network error (the text that ends up in the final ModelError). */
export function describeNetError(err: unknown, url: string, timeoutMs: number): string {
  if (err instanceof SourceFailure) return err.message;
  const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'AbortError' || e?.name === 'TimeoutError') return `no response from ${url} within ${timeoutMs} ms`;
  const code = e?.cause?.code ?? e?.code;
  if (code === 'ECONNREFUSED') return `connection refused by ${url}`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `DNS lookup failed for ${url} (${code})`;
  if (code) return `${code} for ${url}`;
  return `${e?.cause?.message ?? e?.message ?? String(err)} (${url})`;
}

export interface Opened {
  res: Response;
  /** Stops the stall timer; call when done with the body. */
  done(): void;
  /** Re-arms the stall timer (call on every chunk). */
  touch(): void;
}

/** fetch() with a headers deadline, then a body stall deadline. Non-2xx/3xx responses become SourceFailure. */
export async function openUrl(url: string, ctx: HttpCtx, init: { method?: string; redirect?: RequestRedirect } = {}): Promise<Opened> {
  const ac = new AbortController();
  let timer = setTimeout(() => ac.abort(), ctx.connectTimeoutMs);
  const stall = ctx.stallTimeoutMs ?? Math.max(30_000, ctx.connectTimeoutMs * 6);
  let res: Response;
  try {
    res = await fetch(url, { method: init.method ?? 'GET', redirect: init.redirect ?? 'follow', signal: ac.signal });
  } catch (err) {
    clearTimeout(timer);
    throw new SourceFailure(describeNetError(err, url, ctx.connectTimeoutMs));
  }
  clearTimeout(timer);
  const touch = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => ac.abort(), stall);
  };
  touch();
  const done = (): void => clearTimeout(timer);
  if (res.status >= 400) {
    done();
    await res.body?.cancel().catch(() => undefined);
    throw new SourceFailure(`HTTP ${res.status} for ${url}`, res.status);
  }
  return { res, done, touch };
}

/** Fetches a small text resource (e.g. a .sha1 file); undefined on any failure. */
export async function fetchText(url: string, ctx: HttpCtx): Promise<string | undefined> {
  try {
    const o = await openUrl(url, ctx);
    try {
      return await o.res.text();
    } finally {
      o.done();
    }
  } catch {
    return undefined;
  }
}

const BLOB_HASH_LIMIT = 32 << 20;

export interface Downloaded {
  sizeBytes: number;
  sha256: string;
  sha1: string;
  /** sha1 of "blob <size>\0<bytes>": what a git ETag of a non-LFS file on the hub is. */
  gitBlobSha1: string;
}

/** Streams an opened response into `dest` (created/truncated), hashing as it goes; fsyncs before returning. */
export async function saveBody(o: Opened, dest: string, ctx: HttpCtx): Promise<Downloaded> {
  const { res } = o;
  const totalHeader = res.headers.get('content-length');
  const totalBytes = totalHeader ? Number(totalHeader) : undefined;
  const s256 = createHash('sha256');
  const s1 = createHash('sha1');
  const chunks: Uint8Array[] = [];
  const fh = await open(dest, 'w');
  let received = 0;
  let lastReport = 0;
  try {
    if (!res.body) throw new SourceFailure(`empty body from ${ctx.source}`);
    const reader = res.body.getReader();
    for (;;) {
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await reader.read();
      } catch (err) {
        throw new SourceFailure(`transfer from ${ctx.source} failed: ${describeNetError(err, ctx.source, ctx.connectTimeoutMs)}`);
      }
      if (r.done) break;
      o.touch();
      s256.update(r.value);
      s1.update(r.value);
      received += r.value.byteLength;
      if (ctx.maxBytes !== undefined && received > ctx.maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new SourceFailure(`${ctx.source} sent more than ${ctx.maxBytes} bytes`);
      }
      if (received <= BLOB_HASH_LIMIT) chunks.push(r.value);
      else chunks.length = 0;
      await fh.write(r.value);
      if (ctx.onProgress && (received - lastReport >= 1 << 20 || received === totalBytes)) {
        lastReport = received;
        ctx.onProgress({ phase: 'download', source: ctx.source, receivedBytes: received, totalBytes });
      }
    }
    if (totalBytes !== undefined && Number.isFinite(totalBytes) && received !== totalBytes) {
      throw new SourceFailure(`truncated transfer from ${ctx.source}: ${received} of ${totalBytes} bytes`);
    }
    await fh.sync();
  } finally {
    o.done();
    await fh.close();
  }
  // The git blob hash needs the size up front, so it is computed after the transfer from the kept chunks
  // only for small files (tokenizers); large LFS files are checked by sha256 instead.
  const blob = createHash('sha1').update(`blob ${received}\0`);
  if (received <= BLOB_HASH_LIMIT) for (const c of chunks) blob.update(c);
  return { sizeBytes: received, sha256: s256.digest('hex'), sha1: s1.digest('hex'), gitBlobSha1: blob.digest('hex') };
}
