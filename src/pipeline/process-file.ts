// One file through extract -> chunk -> embed -> store. Any per-file problem becomes a status, never a throw.
import fs from 'node:fs';
import { FileError } from '../errors.js';
import { attemptsAfter, isFailure, type StoredStatus } from '../contracts/document-state.js';
import type { ExtractPool } from '../extract/pool.js';
import type { Chunker } from '../chunk/chunker.js';
import type { IndexStore, DocumentRow, DocumentInput } from '../contracts/index-store.js';
import type { BatchEmbedder } from './batch-embedder.js';
import type { FileResult, SourceFile } from './types.js';
import { documentFingerprint, sha256File, type PipelineIdentity } from './fingerprint.js';
import { timeStage, timeStageSync, type StageSink } from './stage-timings.js';

export interface FileDeps {
  store: IndexStore;
  pool: ExtractPool;
  chunker: Chunker;
  embedder: BatchEmbedder;
  identity: PipelineIdentity;
  /**
   * The run's stop signal. Once it fires, files not yet extracting are not started, files extracting get the pool's
   * grace period, and a file cut short ends `skipped: interrupted` with nothing recorded.
   */
  signal?: AbortSignal;
  /** Stage timings (bench:ingest); absent in normal runs. */
  timings?: StageSink;
}

export interface ProcessedFile extends FileResult {
  embedded: number;
  reused: number;
}

export async function processFile(file: SourceFile, previous: DocumentRow | undefined, deps: FileDeps, sha256?: string): Promise<ProcessedFile> {
  const base = { path: file.absPath, embedded: 0, reused: 0 };
  if (deps.signal?.aborted) return { ...base, status: 'skipped', reason: 'interrupted: not started; retried on the next run' };
  // The size cap comes before hashing: hashing an 8 GB file only to skip it took 37 s, again on every change.
  const maxBytes = deps.pool.maxFileBytes;
  if (maxBytes !== undefined && file.size > maxBytes) return recordTooBig(file, maxBytes, deps);
  let sha: string;
  try {
    sha = sha256 ?? (await timeStage(deps.timings, 'hash', () => sha256File(file.absPath, file.size)));
  } catch (err) {
    return { ...base, status: 'failed', reason: `unreadable: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  }
  const input: DocumentInput = {
    root: file.root, path: file.absPath, relPath: file.relPath, sha256: sha, size: file.size, mtimeMs: file.mtimeMs,
    ino: file.ino, status: 'indexed', fingerprint: '',
  };
  // Same bytes, same pipeline: only the file's stat changed (touch, copy-over). Nothing to extract or embed.
  if (previous?.sha256 === sha && !isFailure(previous.status) &&
      previous.fingerprint === documentFingerprint(deps.identity, previous.type)) {
    await timeStage(deps.timings, 'write', () => deps.store.recordStat(file.absPath, file.size, file.mtimeMs, file.ino));
    return { ...base, status: 'unchanged' };
  }
  const sameContentAsBefore = previous?.sha256 === sha;
  try {
    const doc = await timeStage(deps.timings, (d) => (d?.pagesOcr ? 'ocr' : 'extract'), () => deps.pool.extract(file.absPath, { signal: deps.signal }));
    if (changedSince(file)) {
      // Torn read: the file changed while we read it. Not recorded; the next run picks it up.
      return { ...base, status: 'skipped', reason: 'changed-while-reading: retried on the next run' };
    }
    input.type = doc.type;
    input.fingerprint = documentFingerprint(deps.identity, doc.type);
    input.warnings = doc.warnings;
    input.pagesOcr = doc.pagesOcr ?? 0;
    input.charCount = doc.sections.reduce((n, s) => n + s.text.length, 0);
    const chunks = timeStageSync(deps.timings, 'chunk', () => deps.chunker.chunk(doc.sections));
    if (chunks.length === 0) {
      input.status = 'empty';
      input.reason = doc.warnings[0] ?? 'no text found';
      await timeStage(deps.timings, 'write', () => deps.store.recordOutcome(input));
      return { ...base, status: 'empty', reason: input.reason, type: doc.type, warnings: doc.warnings };
    }
    const cached = await timeStage(deps.timings, 'lookup', () => deps.store.vectorsForChunkHashes(chunks.map((c) => c.sha256)));
    const missing = chunks.filter((c) => !cached.has(c.sha256));
    deps.timings?.tokens?.(chunks.reduce((n, c) => n + c.tokens, 0), missing.reduce((n, c) => n + c.tokens, 0));
    const { vectors, fresh } = await timeStage(deps.timings, 'embed', () => deps.embedder.embedChunks(missing));
    missing.forEach((c, i) => cached.set(c.sha256, vectors[i]!));
    input.status = previous?.status === 'indexed' ? 'updated' : 'indexed';
    await timeStage(deps.timings, 'write', () => deps.store.replaceDocument({ ...input, status: 'indexed' }, chunks, chunks.map((c) => cached.get(c.sha256)!)));
    return {
      ...base, status: input.status, chunks: chunks.length, type: doc.type, embedded: fresh,
      reused: chunks.length - fresh, ...(doc.warnings.length ? { warnings: doc.warnings } : {}),
      ...(doc.pagesOcr ? { pagesOcr: doc.pagesOcr } : {}),
    };
  } catch (err) {
    if (!(err instanceof FileError)) throw err; // a broken model or database is fatal for the run
    // Stopped before or during extraction (Ctrl-C, SIGTERM): not the file's fault; record nothing, retry next run.
    if (err.status === 'skipped' && err.reason === 'interrupted') return { ...base, status: 'skipped', reason: err.message };
    // A file rewritten while we read it often fails to parse (half a PDF, a truncated zip): that is a torn read,
    // not a verdict on the file. Record nothing, count no attempt; the next run (or watch sync) reads it whole.
    if (changedSince(file)) return { ...base, status: 'skipped', reason: 'changed-while-reading: retried on the next run' };
    // Interrupted (Ctrl-C reaches the extraction workers too): not the file's fault either.
    if (deps.signal?.aborted) return { ...base, status: 'skipped', reason: 'interrupted: retried on the next run' };
    input.status = err.status === 'empty' ? 'empty' : err.status;
    input.reason = err.message;
    input.fingerprint = documentFingerprint(deps.identity, null);
    input.attempts = attemptsAfter(input.status as StoredStatus, previous, sameContentAsBefore);
    await timeStage(deps.timings, 'write', () => deps.store.recordOutcome(input));
    return { ...base, status: input.status, reason: err.message };
  }
}

/** Same status, reason and wording as the extractor's own size check, recorded without the file's hash. */
async function recordTooBig(file: SourceFile, maxBytes: number, deps: FileDeps): Promise<ProcessedFile> {
  const err = new FileError('skipped', 'size', `${file.size} bytes > ${maxBytes}`);
  await deps.store.recordOutcome({
    root: file.root, path: file.absPath, relPath: file.relPath, size: file.size, mtimeMs: file.mtimeMs, ino: file.ino,
    status: 'skipped', reason: err.message, fingerprint: documentFingerprint(deps.identity, null), attempts: 0,
  });
  return { path: file.absPath, embedded: 0, reused: 0, status: 'skipped', reason: err.message };
}

function changedSince(file: SourceFile): boolean {
  try {
    const st = fs.statSync(file.absPath);
    return st.size !== file.size || st.mtimeMs !== file.mtimeMs;
  } catch {
    return true;
  }
}
