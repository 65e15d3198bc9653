// What a backup must hold, read through the store boundary: identity, roots, rows per table, documents by
// status, and a fixed keyword search. Taken from the backup itself (never the live index, which moves on).
import type { IndexStore, Root } from '../contracts/index-store.js';
import type { EmbeddingIdentity } from '../contracts/identity.js';
import { asTransferable } from '../pipeline/copy.js';
import { searchIndex } from '../search/index.js';

export interface IndexInventory {
  identity: EmbeddingIdentity | null;
  roots: Root[];
  counts: Record<string, number>;
  documentsByStatus: Record<string, number>;
  probe: { query: string; hits: number } | null;
}

const PROBE_LIMIT = 10;
/** Documents tried for a probe word before giving up (a chunk of digits only has none). */
const PROBE_DOCUMENTS = 5;

async function probeHits(store: IndexStore, query: string): Promise<number> {
  const hits = await searchIndex(store, null, { text: query, limit: PROBE_LIMIT, mode: 'keyword', groupBy: 'chunk' });
  return hits.length;
}

/** The longest word of a stored chunk: a query that must find at least that chunk, in any language. */
async function chooseProbe(store: IndexStore): Promise<{ query: string; hits: number } | null> {
  let tried = 0;
  for await (const d of asTransferable(store).exportDocuments()) {
    const chunk = d.chunks[0];
    if (!chunk) continue;
    const words = (chunk.text.match(/\p{L}{4,}/gu) ?? []).slice(0, 60);
    const word = words.reduce((best, w) => (w.length > best.length ? w : best), '').toLowerCase();
    if (word) {
      const hits = await probeHits(store, word);
      if (hits > 0) return { query: word, hits };
    }
    if (++tried >= PROBE_DOCUMENTS) break;
  }
  return null;
}

/** With `probeQuery` (verification) that search is run; without it one is chosen (a new backup). */
export async function takeInventory(store: IndexStore, probeQuery?: string | null): Promise<IndexInventory> {
  const stats = await store.stats();
  const roots = await store.roots();
  const runs = await store.runs.last(Number.MAX_SAFE_INTEGER);
  const documents = Object.values(stats.documents).reduce((a, b) => a + b, 0);
  let probe: IndexInventory['probe'] = null;
  if (probeQuery) probe = { query: probeQuery, hits: stats.chunks ? await probeHits(store, probeQuery) : 0 };
  else if (probeQuery === undefined && stats.chunks) probe = await chooseProbe(store);
  return {
    identity: (await store.identity()) ?? null,
    roots,
    counts: { documents, chunks: stats.chunks, vectors: stats.vectors, runs: runs.length, roots: roots.length },
    documentsByStatus: stats.documents,
    probe,
  };
}

const canonical = (o: unknown): string => JSON.stringify(o, (_k, v: unknown) =>
  v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v);

/** Every way the inventory differs from what the manifest recorded, as readable phrases. */
export function compareInventory(want: Pick<IndexInventory, 'identity' | 'counts' | 'documentsByStatus' | 'probe'>, have: IndexInventory): string[] {
  const problems: string[] = [];
  for (const [table, n] of Object.entries(want.counts)) {
    const got = have.counts[table];
    if (got !== undefined && got !== n) problems.push(`${table}: ${got} rows, the manifest says ${n}`);
  }
  if (canonical(want.documentsByStatus) !== canonical(have.documentsByStatus)) {
    problems.push(`documents by status ${canonical(have.documentsByStatus)}, the manifest says ${canonical(want.documentsByStatus)}`);
  }
  if (canonical(want.identity) !== canonical(have.identity)) problems.push('the embedding identity differs from the manifest\'s');
  if (want.probe && have.probe?.hits !== want.probe.hits) {
    problems.push(`the search "${want.probe.query}" found ${have.probe?.hits ?? 0} results, the manifest says ${want.probe.hits}`);
  }
  return problems;
}
