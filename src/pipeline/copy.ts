// `docproc copy`: moves a whole index (documents, chunks, vectors, ledger, roots, identity, run history) from one
// store to another, SQLite or Postgres in either direction, without re-embedding; verified before it reports.
import type { DocumentRow, IndexStore, IndexTransfer, RunRecord } from '../contracts/index-store.js';
import { DocprocError, ExitCode, UsageError } from '../errors.js';

export interface CopyOptions {
  /** Replace a target that already holds an index (it is swapped atomically, never half-replaced). */
  replace?: boolean;
  waitSeconds?: number;
  signal?: AbortSignal;
  /** How many documents' vectors are compared after the copy (0: counts only). */
  sampleDocuments?: number;
  onProgress?: (copied: number) => void;
}

export interface CopyReport {
  documents: number;
  chunks: number;
  vectors: number;
  runs: number;
  roots: number;
  sampledDocuments: number;
  verified: boolean;
  durationMs: number;
}

type Transferable = IndexStore & IndexTransfer;

export function asTransferable(s: IndexStore): Transferable {
  if (!('exportDocuments' in s) || !('restoreRun' in s)) throw new DocprocError(`the ${s.kind} store cannot export or import a whole index`);
  return s as Transferable;
}

/** Copies `from` into `to`; `reopenTarget` opens the target afresh (read-only) for the verification. */
export async function copyIndex(fromStore: IndexStore, toStore: IndexStore, reopenTarget: () => Promise<IndexStore>, o: CopyOptions = {}): Promise<CopyReport> {
  const started = Date.now();
  const from = asTransferable(fromStore);
  const identity = await from.identity();
  if (!identity) throw new UsageError(`${from.location} holds no index to copy (no embedding identity yet)`);
  const writer = await toStore.acquireWriter('copy', { waitSeconds: o.waitSeconds, signal: o.signal });
  try {
    const existing = await toStore.stats();
    if (!o.replace && ((await toStore.identity()) || Object.keys(existing.documents).length)) {
      throw new DocprocError(`${toStore.location} already holds an index`, {
        code: 'target-not-empty', exitCode: ExitCode.usage, hint: 'pass --replace to replace it (atomically)',
      });
    }
    // Written into a shadow and swapped in whole: a copy that fails or is interrupted leaves the target as it was.
    // The target's own run history goes with it: the copy brings the source's.
    const rebuild = await toStore.beginRebuild({ keepRuns: false });
    let report: Omit<CopyReport, 'sampledDocuments' | 'verified' | 'durationMs'>;
    try {
      report = await transfer(from, asTransferable(rebuild.store), o);
      if (o.signal?.aborted) throw new DocprocError('copy interrupted; the target is unchanged', { code: 'interrupted' });
      await rebuild.commit();
    } catch (err) {
      await rebuild.discard();
      throw err;
    }
    const target = await reopenTarget();
    try {
      const sampled = await verify(from, target, o.sampleDocuments ?? 50);
      return { ...report, sampledDocuments: sampled, verified: true, durationMs: Date.now() - started };
    } finally {
      await target.close();
    }
  } finally {
    await writer.release();
  }
}

async function transfer(from: Transferable, to: Transferable, o: CopyOptions) {
  await to.bindIdentity((await from.identity())!);
  const roots = await from.roots();
  await to.recordRoots(roots.map((r) => ({ path: r.path, kind: r.kind })));
  let documents = 0;
  let chunks = 0;
  for await (const d of from.exportDocuments()) {
    if (o.signal?.aborted) break;
    const input = toInput(d.doc);
    if (d.chunks.length) await to.replaceDocument(input, d.chunks, d.vectors);
    else await to.recordOutcome(input);
    documents++;
    chunks += d.chunks.length;
    if (documents % 200 === 0) o.onProgress?.(documents);
  }
  // Oldest first, ids kept: run history reads the same on both sides.
  const runs = (await from.runs.last(Number.MAX_SAFE_INTEGER)).reverse();
  for (const r of runs) await to.restoreRun(r as RunRecord);
  return { documents, chunks, vectors: chunks, runs: runs.length, roots: roots.length };
}

function toInput(d: DocumentRow) {
  return {
    root: d.root, path: d.path, relPath: d.relPath, size: d.size ?? 0, mtimeMs: d.mtimeMs ?? 0, ino: d.ino ?? 0,
    status: d.status, fingerprint: d.fingerprint ?? '', attempts: d.attempts, charCount: d.charCount, pagesOcr: d.pagesOcr,
    warnings: d.warnings,
    ...(d.type ? { type: d.type } : {}), ...(d.sha256 ? { sha256: d.sha256 } : {}), ...(d.reason ? { reason: d.reason } : {}),
  };
}

/** Counts per status, chunks and vectors must match; a sample of documents must have identical vectors. */
async function verify(from: Transferable, target: IndexStore, sample: number): Promise<number> {
  const [a, b] = [await from.stats(), await target.stats()];
  if (JSON.stringify(sortKeys(a.documents)) !== JSON.stringify(sortKeys(b.documents)) || a.chunks !== b.chunks || a.vectors !== b.vectors) {
    throw new DocprocError(`copy verification failed: source has ${JSON.stringify(a)}, target ${JSON.stringify(b)}`);
  }
  const docs: { path: string; hashes: string[]; vectors: Float32Array[] }[] = [];
  let seen = 0;
  for await (const d of from.exportDocuments()) {
    if (!d.chunks.length) continue;
    // Reservoir sample: every document equally likely, one pass.
    seen++;
    const entry = { path: d.doc.path, hashes: d.chunks.map((c) => c.sha256), vectors: d.vectors };
    if (docs.length < sample) docs.push(entry);
    else {
      const j = Math.floor(Math.random() * seen);
      if (j < sample) docs[j] = entry;
    }
  }
  for (const d of docs) {
    const got = await target.vectorsForChunkHashes(d.hashes);
    d.hashes.forEach((h, i) => {
      const v = got.get(h);
      const want = d.vectors[i]!;
      if (!v || v.length !== want.length || v.some((x, k) => Math.abs(x - want[k]!) > 1e-6)) {
        throw new DocprocError(`copy verification failed: vectors of ${d.path} differ in the target`);
      }
    });
  }
  return docs.length;
}

const sortKeys = (o: Record<string, number>): [string, number][] => Object.entries(o).sort(([x], [y]) => (x < y ? -1 : 1));
