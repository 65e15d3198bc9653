// Keyword candidates, side by side on the same queries: the store's current path (bm25 from the keyword postings),
// FTS5's bm25() top-k then the join (the path before the postings), the first plan (every FTS5 match joined to
// chunks, then sorted), and FTS5 matching alone. `identical` compares the postings with FTS5's bm25() top-k.
import { performance } from 'node:perf_hooks';
import type { Database } from 'better-sqlite3';
import { buildMatchExpression } from '../../src/store/sqlite/fts-query.js';
import { SqliteView } from '../../src/store/sqlite/view.js';
import { latency, spread, type Latency } from './stats.js';

export interface KeywordCompare {
  limit: number;
  /** Rows the queries' OR expressions match: what bm25 must score. */
  matchedRows: { p50: number; p95: number; max: number };
  variants: { name: string; latency: Latency }[];
  /** Queries whose candidates (ids, order and scores) are identical under both plans. */
  identical: number;
  queries: number;
}

const JOIN_FIRST = `SELECT c.id AS chunkId, c.document_id AS documentId, -bm25(chunks_fts) AS score
   FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid
  WHERE chunks_fts MATCH @match AND (@allowed IS NULL OR c.document_id IN (SELECT value FROM json_each(@allowed)))
  ORDER BY bm25(chunks_fts) LIMIT @limit`;

type Row = { chunkId: number; documentId: number; score: number };

export async function compareKeyword(db: Database, texts: string[], limit = 400): Promise<KeywordCompare> {
  const view = new SqliteView(db, () => undefined);
  const before = db.prepare(JOIN_FIRST);
  const count = db.prepare('SELECT COUNT(*) FROM chunks_fts WHERE chunks_fts MATCH ?').pluck();
  const ranked = db.prepare('SELECT rowid, -bm25(chunks_fts) FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY bm25(chunks_fts), rowid LIMIT ?').raw();
  const documentOf = db.prepare('SELECT document_id FROM chunks WHERE id = ?').pluck();
  const ftsTopK = (m: string): Row[] =>
    (ranked.all(m, limit) as [number, number][]).map(([chunkId, score]) => ({ chunkId, documentId: documentOf.get(chunkId) as number, score }));
  const variants: Record<string, (t: string, m: string) => Promise<Row[] | unknown>> = {
    'FTS5 bm25() top-k, then join (before the postings)': async (_t, m) => ftsTopK(m),
    'now: keyword postings top-k, then join': (t) => view.keywordCandidates(t, null, limit),
    'first plan: join every match, then sort': async (_t, m) => before.all({ match: m, allowed: null, limit }),
    'floor: FTS5 match count alone': async (_t, m) => count.get(m),
  };
  const names = Object.keys(variants);
  const ms = new Map<string, number[]>(names.map((n) => [n, []]));
  const matched: number[] = [];
  let identical = 0;
  let n = 0;
  for (const t of texts) {
    const m = buildMatchExpression(t);
    if (!m) continue;
    n++;
    matched.push(count.get(m) as number);
    const out: Record<string, unknown> = {};
    for (let k = 0; k < names.length; k++) {
      const name = names[(n + k) % names.length]!;
      const t0 = performance.now();
      out[name] = await variants[name]!(t, m);
      ms.get(name)!.push(performance.now() - t0);
    }
    const a = out[names[0]!] as Row[];
    const b = out[names[1]!] as Row[];
    if (a.length === b.length && a.every((r, i) => r.chunkId === b[i]!.chunkId && r.score === b[i]!.score)) identical++;
  }
  return { limit, matchedRows: spread(matched), variants: names.map((name) => ({ name, latency: latency(ms.get(name)!) })), identical, queries: n };
}
