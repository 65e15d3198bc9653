// Read-only looks into an index from tests: what a keyword search would match, without the CLI.
import path from 'node:path';
import type { Database } from 'better-sqlite3';

/** Documents whose chunks match an FTS5 term, as paths relative to `base`, sorted. */
export function keywordPaths(d: Database, term: string, base: string): string[] {
  const rows = d.prepare(`SELECT DISTINCT d.path FROM chunks_fts f JOIN chunks c ON c.id = f.rowid
    JOIN documents d ON d.id = c.document_id WHERE chunks_fts MATCH ? ORDER BY d.path`).all(term) as { path: string }[];
  return rows.map((r) => path.relative(base, r.path));
}
