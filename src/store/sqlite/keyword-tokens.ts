// FTS5's own tokenisation, read back: a contentless FTS5 table in the connection's temp schema, made with the
// tokenizer chunks_fts was made with, and its fts5vocab instance table. Terms, counts and lengths are therefore
// exactly what chunks_fts holds (porter stems, folded diacritics), with no tokenizer of ours to drift from it.
import type { Database } from 'better-sqlite3';
import { statement } from './statements.js';

/** The tokenize= argument of chunks_fts, as written in its CREATE statement; null where it cannot be read. */
function ftsTokenizer(db: Database): string | null {
  const sql = statement(db, "SELECT sql FROM sqlite_master WHERE name = 'chunks_fts'").pluck().get() as string | undefined;
  return sql?.match(/tokenize\s*=\s*'((?:[^']|'')*)'/)?.[1] ?? null;
}

/**
 * Makes the temp tables where the connection lacks them (temp is writable on read-only connections too). Asked of
 * temp's own schema every time, not remembered: tables made inside a transaction that rolls back are gone again.
 * Returns false where chunks_fts's tokenizer cannot be read, and then nothing here may stand in for FTS5.
 */
function ensure(db: Database): boolean {
  if (statement(db, "SELECT 1 FROM temp.sqlite_master WHERE name = 'kw_tok_terms'").get()) return true;
  const tokenize = ftsTokenizer(db);
  if (tokenize === null) return false;
  db.exec(`
    CREATE VIRTUAL TABLE IF NOT EXISTS temp.kw_tok USING fts5(text, content='', tokenize='${tokenize}');
    CREATE VIRTUAL TABLE IF NOT EXISTS temp.kw_tok_terms USING fts5vocab(temp, kw_tok, 'instance');
  `);
  return true;
}

export interface Tokenised {
  /** term -> [row id, occurrences] pairs, ids ascending (mergePostings' append relies on it). */
  terms: Map<string, [number, number][]>;
  /** row id -> tokens in the row (FTS5's column size); every row given is present, empty text as 0. */
  lengths: Map<number, number>;
}

/** Tokenises rows (id, text) as chunks_fts would. Undefined where chunks_fts's tokenizer is unknown. */
export function tokenise(db: Database, rows: [number, string][]): Tokenised | undefined {
  if (!ensure(db)) return undefined;
  const insert = statement(db, 'INSERT INTO temp.kw_tok (rowid, text) VALUES (?, ?)');
  const terms = new Map<string, [number, number][]>();
  const lengths = new Map<number, number>();
  try {
    for (const [id, text] of rows) {
      insert.run(id, text);
      lengths.set(id, 0);
    }
    const counts = statement(db, 'SELECT term, doc, COUNT(*) FROM temp.kw_tok_terms GROUP BY term, doc ORDER BY term, doc').raw().all() as [string, number, number][];
    for (const [term, doc, n] of counts) {
      let list = terms.get(term);
      if (!list) terms.set(term, (list = []));
      list.push([doc, n]);
      lengths.set(doc, lengths.get(doc)! + n);
    }
  } finally {
    statement(db, "INSERT INTO temp.kw_tok (kw_tok) VALUES ('delete-all')").run();
  }
  return { terms, lengths };
}

/**
 * Each query term's tokens as FTS5 would read the quoted term: undefined where any term is not exactly one token
 * (a phrase of two, or none), which only FTS5 itself can match.
 */
export function queryTokens(db: Database, terms: string[]): string[] | undefined {
  const t = tokenise(db, terms.map((term, i) => [i + 1, term]));
  if (!t) return undefined;
  const out: (string | undefined)[] = terms.map(() => undefined);
  for (const [token, hits] of t.terms) {
    for (const [row] of hits) out[row - 1] = token;
  }
  if ([...t.lengths.values()].some((n) => n !== 1)) return undefined;
  return out as string[];
}
