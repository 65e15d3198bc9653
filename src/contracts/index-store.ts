// The index boundary: everything that reads or writes an index goes through IndexStore. SQLite and Postgres
// implement it; the pipeline, search, status, watch, reembed and the commands never see SQL or a driver.
import type { Chunk, FileStatus, Loc } from './stages.js';
import type { EmbeddingIdentity } from './identity.js';

/** A path the user named: a folder walked recursively, or a single file. */
export interface Root {
  path: string;
  kind: 'file' | 'folder';
  /** Recorded by an index older than the roots table: taken from its documents' folders. */
  inferred: boolean;
}

export interface DocumentRow {
  id: number;
  root: string;
  path: string;
  relPath: string;
  type: string | null;
  sha256: string | null;
  size: number | null;
  mtimeMs: number | null;
  ino: number | null;
  status: FileStatus;
  reason: string | null;
  warnings: string[];
  chunkCount: number;
  charCount: number;
  pagesOcr: number;
  fingerprint: string | null;
  attempts: number;
  indexedAt: string | null;
  updatedAt: string;
}

/** What the pipeline knows about a file when it records an outcome. */
export interface DocumentInput {
  root: string;
  path: string;
  relPath: string;
  type?: string;
  sha256?: string;
  size: number;
  mtimeMs: number;
  ino: number;
  status: FileStatus;
  reason?: string;
  warnings?: string[];
  charCount?: number;
  pagesOcr?: number;
  fingerprint: string;
  attempts?: number;
}

export interface RunRecord {
  id: number;
  command: string;
  roots: string[];
  pid: number;
  host?: string;
  startedAt: string;
  endedAt: string | null;
  outcome: string | null;
  counts: Record<string, number>;
  failures: { path: string; status: string; reason: string }[];
  durationMs: number | null;
}

/** Runs by outcome and the last success, counted by the database (a watcher records a run per sync). */
export interface RunSummary {
  /** Outcome -> runs; runs still going (or killed) are 'unfinished'. */
  byOutcome: Record<string, number>;
  /** End of the last completed run, ms since the epoch; null when none. */
  lastSuccessMs: number | null;
}

export interface RunLog {
  start(command: string, roots: string[]): Promise<number>;
  summary(): Promise<RunSummary>;
  finish(id: number, outcome: string, counts: Record<string, number>, failures: RunRecord['failures'], durationMs: number): Promise<void>;
  last(limit: number): Promise<RunRecord[]>;
}

/** A document with everything stored for it, for moving an index between stores without re-embedding. */
export interface DumpedDocument {
  doc: DocumentRow;
  chunks: Chunk[];
  vectors: Float32Array[];
}

/** Whole-index export and import: `docproc copy` and portable backups. */
export interface IndexTransfer {
  /** Every document, by path, with its chunks (in order) and their vectors. */
  exportDocuments(): AsyncIterable<DumpedDocument>;
  /** Writes a run record as it was, id included (the target must not hold that id). */
  restoreRun(run: RunRecord): Promise<void>;
  /** Bytes the index takes (files, or relations in its schema). */
  sizeBytes(): Promise<number>;
}

export interface IndexStats {
  documents: Record<string, number>;
  chunks: number;
  vectors: number;
}

/** A ranked candidate from one retriever: higher score is better. */
export interface Candidate {
  chunkId: number;
  documentId: number;
  score: number;
}

export interface ChunkRow {
  chunkId: number;
  documentId: number;
  seq: number;
  text: string;
  loc: Loc;
  path: string;
  relPath: string;
  root: string;
  type: string | null;
}

/** Documents as the search filters see them: globs run in JS, the ids go back into the query. */
export interface FilterableDocument {
  id: number;
  path: string;
  relPath: string;
  type: string | null;
  mtimeMs: number | null;
}

/** One consistent state of the index, for the duration of a search. `allowed` null means no filter. */
export interface IndexView {
  /** The most vector candidates one query may ask for (sqlite-vec caps KNN k). */
  readonly maxVectorCandidates: number;
  identity(): Promise<EmbeddingIdentity | undefined>;
  /** Whether any chunk is indexed (an existence check: counting a million rows cold cost 49 ms a search). */
  hasChunks(): Promise<boolean>;
  hasVectors(): Promise<boolean>;
  filterableDocuments(): Promise<FilterableDocument[]>;
  /** Lexical candidates for the user's query text; each store builds its own safe query syntax. */
  keywordCandidates(text: string, allowed: number[] | null, limit: number): Promise<Candidate[]>;
  /**
   * The same candidates computed beside the caller (another thread or connection), so that it can do the vector
   * half meanwhile; undefined where the store cannot now. Always the candidates of this view's snapshot.
   */
  keywordCandidatesBeside?(text: string, allowed: number[] | null, limit: number): Promise<Candidate[]> | undefined;
  /** Nearest chunks by cosine (score = cosine similarity), filtered inside the search, never after it. */
  vectorCandidates(query: Float32Array, allowed: number[] | null, limit: number): Promise<Candidate[]>;
  chunkRows(chunkIds: number[]): Promise<Map<number, ChunkRow>>;
  /** Cosine of one stored chunk to the query. */
  chunkSimilarity(chunkId: number, query: Float32Array): Promise<number | undefined>;
}

export interface WriterOptions {
  /** Wait this long for another writer instead of failing at once (LockedError, exit 4). */
  waitSeconds?: number;
  signal?: AbortSignal;
}

/** This process's right to write. SQLite has one writer; Postgres many workers, each file claimed by one. */
export interface Writer {
  /** Other workers may write at the same time (Postgres): plans are re-checked against the ledger per file. */
  readonly shared: boolean;
  /**
   * Of these planned paths, the ones this writer processes now. A single-writer store returns them all; a
   * shared one returns the files no live worker holds, claimed for this one until released or expired.
   */
  claim(paths: string[]): Promise<string[]>;
  /** Gives up the claim on a processed path (its outcome is committed). */
  done(path: string): Promise<void>;
  release(): Promise<void>;
}

/** A live writer of a shared store (Postgres workers), for `docproc status`. */
export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
  command: string;
  startedAt: string;
  heartbeatAt: string;
  /** Files it holds a lease on right now. */
  leases: number;
}

/** A new, empty index built beside the live one and swapped in whole (--reembed). */
export interface Rebuild {
  store: IndexStore;
  /** Makes the rebuilt index the live one, atomically, keeping the run history. */
  commit(): Promise<void>;
  discard(): Promise<void>;
}

export interface IndexStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Where the index is, fit to print: a file path, or a URL without its password. */
  readonly location: string;
  readonly readonly: boolean;
  readonly runs: RunLog;
  /** Rows written to documents/chunks/vectors by this process: lets tests prove a no-op re-run. */
  readonly writes: number;
  /** Files this index writes beside itself; discovery never ingests them. */
  readonly ownFiles: string[];
  close(): Promise<void>;

  /** Becomes a writer: the lock (SQLite, one at a time) or a registered worker (Postgres, leases per file). */
  acquireWriter(command: string, o?: WriterOptions): Promise<Writer>;
  /**
   * A shadow index to rebuild into (--reembed), swapped in atomically by its commit. The live index's run
   * history is carried over unless keepRuns is false (a copy brings its own).
   */
  beginRebuild(o?: { keepRuns?: boolean }): Promise<Rebuild>;
  /** Live writers and their leases, where a store has several (Postgres); absent for single-writer stores. */
  activeWorkers?(): Promise<WorkerInfo[]>;

  identity(): Promise<EmbeddingIdentity | undefined>;
  /** Refuses, before any work, a run whose vectors would differ from the index's: the one identity check. */
  checkIdentity(want: EmbeddingIdentity, hint?: string): Promise<void>;
  /** Binds the index to one embedding identity (creating the vector table); refuses to mix vectors. */
  bindIdentity(want: EmbeddingIdentity): Promise<void>;

  roots(): Promise<Root[]>;
  recordRoots(roots: { path: string; kind: Root['kind'] }[]): Promise<void>;

  getDocument(path: string): Promise<DocumentRow | undefined>;
  /** Documents at or below a folder, whichever root they were ingested from. */
  documentsUnder(root: string): Promise<DocumentRow[]>;
  documentsWithStatus(statuses: FileStatus[]): Promise<DocumentRow[]>;
  /** Indexed documents with this content, for rename detection. */
  documentsWithSha(sha256: string): Promise<DocumentRow[]>;
  /** Stored vectors for chunk texts already embedded with this index's identity: the embedding cache. */
  vectorsForChunkHashes(hashes: string[]): Promise<Map<string, Float32Array>>;

  /** Replaces a document's chunks and vectors in one transaction: search never sees half a document. */
  replaceDocument(doc: DocumentInput, chunks: Chunk[], vectors: Float32Array[]): Promise<void>;
  /** Records an outcome without content (skipped, empty, failed); see document-state for what keeps chunks. */
  recordOutcome(doc: DocumentInput): Promise<void>;
  /** Same content at a new path: its chunks and vectors move with it. */
  moveDocument(fromPath: string, to: DocumentInput): Promise<void>;
  /** Same bytes under a new stat: remember it so the fast path applies next time. */
  recordStat(path: string, size: number, mtimeMs: number, ino: number): Promise<void>;
  removeDocument(path: string): Promise<boolean>;

  stats(): Promise<IndexStats>;
  /** Runs `read` against one consistent state of the index, awaits included. */
  snapshot<T>(read: (view: IndexView) => Promise<T>): Promise<T>;
}
