// Path aliases: a share mounted at /mnt/a/share on one host and /data/share on another is stored under one
// name (say /share), so both hosts keep one ledger. The pipeline keeps working with local paths; this store
// wrapper maps them to stored paths on the way in and back to local ones on the way out.
import type {
  ChunkRow, DocumentInput, DocumentRow, FilterableDocument, IndexStore, IndexView, Rebuild, Root, Writer, WriterOptions,
} from '../contracts/index-store.js';
import type { Chunk, FileStatus } from '../contracts/stages.js';
import type { EmbeddingIdentity } from '../contracts/identity.js';
import { UsageError } from '../errors.js';

export interface PathAlias {
  local: string;
  stored: string;
}

/** Parses `LOCAL=STORED` entries (flag --path-alias, config pathAliases); both sides absolute, no trailing slash. */
export function parsePathAliases(entries: string[], resolve: (p: string) => string): PathAlias[] {
  return entries.map((e) => {
    const i = e.indexOf('=');
    if (i <= 0 || i === e.length - 1) throw new UsageError(`--path-alias: expected LOCAL=STORED, got ${e}`, 'e.g. --path-alias /mnt/share=/share');
    const local = trimSlash(resolve(e.slice(0, i)));
    const stored = trimSlash(e.slice(i + 1));
    if (!stored.startsWith('/')) throw new UsageError(`--path-alias: the stored side must be an absolute path, got ${stored}`);
    return { local, stored };
  });
}

const trimSlash = (p: string): string => (p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p);

/** Maps a path by the longest matching prefix; paths outside every alias pass through unchanged. */
export function mapPath(p: string, pairs: { from: string; to: string }[]): string {
  let best: { from: string; to: string } | undefined;
  for (const a of pairs) if ((p === a.from || p.startsWith(a.from + '/')) && (!best || a.from.length > best.from.length)) best = a;
  return best ? best.to + p.slice(best.from.length) : p;
}

export function withPathAliases(store: IndexStore, aliases: PathAlias[]): IndexStore {
  return aliases.length ? new AliasedStore(store, aliases) : store;
}

class AliasedStore implements IndexStore {
  private readonly toStoredPairs: { from: string; to: string }[];
  private readonly toLocalPairs: { from: string; to: string }[];

  constructor(private readonly inner: IndexStore, aliases: PathAlias[]) {
    this.toStoredPairs = aliases.map((a) => ({ from: a.local, to: a.stored }));
    this.toLocalPairs = aliases.map((a) => ({ from: a.stored, to: a.local }));
  }

  private stored = (p: string): string => mapPath(p, this.toStoredPairs);
  private local = (p: string): string => mapPath(p, this.toLocalPairs);
  private docOut = (d: DocumentRow): DocumentRow => ({ ...d, path: this.local(d.path), root: this.local(d.root) });
  private docIn = (d: DocumentInput): DocumentInput => ({ ...d, path: this.stored(d.path), root: this.stored(d.root) });

  get kind(): IndexStore['kind'] { return this.inner.kind; }
  get location(): string { return this.inner.location; }
  get readonly(): boolean { return this.inner.readonly; }
  get runs(): IndexStore['runs'] { return this.inner.runs; }
  get writes(): number { return this.inner.writes; }
  get ownFiles(): string[] { return this.inner.ownFiles; }
  close(): Promise<void> { return this.inner.close(); }

  async acquireWriter(command: string, o?: WriterOptions): Promise<Writer> {
    const w = await this.inner.acquireWriter(command, o);
    return {
      shared: w.shared,
      claim: async (paths) => (await w.claim(paths.map(this.stored))).map(this.local),
      done: (path) => w.done(this.stored(path)),
      release: () => w.release(),
    };
  }

  async beginRebuild(o?: { keepRuns?: boolean }): Promise<Rebuild> {
    const r = await this.inner.beginRebuild(o);
    return { ...r, store: new AliasedStore(r.store, this.toStoredPairs.map((p) => ({ local: p.from, stored: p.to }))) };
  }

  identity(): Promise<EmbeddingIdentity | undefined> { return this.inner.identity(); }
  checkIdentity(want: EmbeddingIdentity, hint?: string): Promise<void> { return this.inner.checkIdentity(want, hint); }
  bindIdentity(want: EmbeddingIdentity): Promise<void> { return this.inner.bindIdentity(want); }

  async roots(): Promise<Root[]> {
    return (await this.inner.roots()).map((r) => ({ ...r, path: this.local(r.path) }));
  }
  recordRoots(roots: { path: string; kind: Root['kind'] }[]): Promise<void> {
    return this.inner.recordRoots(roots.map((r) => ({ ...r, path: this.stored(r.path) })));
  }

  async getDocument(path: string): Promise<DocumentRow | undefined> {
    const d = await this.inner.getDocument(this.stored(path));
    return d && this.docOut(d);
  }
  async documentsUnder(root: string): Promise<DocumentRow[]> {
    return (await this.inner.documentsUnder(this.stored(root))).map(this.docOut);
  }
  async documentsWithStatus(statuses: FileStatus[]): Promise<DocumentRow[]> {
    return (await this.inner.documentsWithStatus(statuses)).map(this.docOut);
  }
  async documentsWithSha(sha256: string): Promise<DocumentRow[]> {
    return (await this.inner.documentsWithSha(sha256)).map(this.docOut);
  }
  vectorsForChunkHashes(hashes: string[]): Promise<Map<string, Float32Array>> { return this.inner.vectorsForChunkHashes(hashes); }

  replaceDocument(doc: DocumentInput, chunks: Chunk[], vectors: Float32Array[]): Promise<void> {
    return this.inner.replaceDocument(this.docIn(doc), chunks, vectors);
  }
  recordOutcome(doc: DocumentInput): Promise<void> { return this.inner.recordOutcome(this.docIn(doc)); }
  moveDocument(fromPath: string, to: DocumentInput): Promise<void> { return this.inner.moveDocument(this.stored(fromPath), this.docIn(to)); }
  recordStat(path: string, size: number, mtimeMs: number, ino: number): Promise<void> {
    return this.inner.recordStat(this.stored(path), size, mtimeMs, ino);
  }
  removeDocument(path: string): Promise<boolean> { return this.inner.removeDocument(this.stored(path)); }
  stats(): ReturnType<IndexStore['stats']> { return this.inner.stats(); }

  snapshot<T>(read: (view: IndexView) => Promise<T>): Promise<T> {
    return this.inner.snapshot((view) => read(new AliasedView(view, this.local)));
  }
}

class AliasedView implements IndexView {
  constructor(private readonly inner: IndexView, private readonly local: (p: string) => string) {}
  get maxVectorCandidates(): number { return this.inner.maxVectorCandidates; }
  identity(): ReturnType<IndexView['identity']> { return this.inner.identity(); }
  hasChunks(): Promise<boolean> { return this.inner.hasChunks(); }
  hasVectors(): Promise<boolean> { return this.inner.hasVectors(); }
  async filterableDocuments(): Promise<FilterableDocument[]> {
    return (await this.inner.filterableDocuments()).map((d) => ({ ...d, path: this.local(d.path) }));
  }
  keywordCandidates(...a: Parameters<IndexView['keywordCandidates']>): ReturnType<IndexView['keywordCandidates']> { return this.inner.keywordCandidates(...a); }
  vectorCandidates(...a: Parameters<IndexView['vectorCandidates']>): ReturnType<IndexView['vectorCandidates']> { return this.inner.vectorCandidates(...a); }
  async chunkRows(ids: number[]): Promise<Map<number, ChunkRow>> {
    const rows = await this.inner.chunkRows(ids);
    return new Map([...rows].map(([k, r]) => [k, { ...r, path: this.local(r.path), root: this.local(r.root) }]));
  }
  chunkSimilarity(id: number, q: Float32Array): Promise<number | undefined> { return this.inner.chunkSimilarity(id, q); }
}
