// Prepared statements compiled once per connection: the ingest's writes prepared the same dozen statements for
// every document, half a second of main-thread time over 1,000 small files.
import type { Database, Statement } from 'better-sqlite3';

const cache = new WeakMap<Database, Map<string, Statement>>();

/**
 * The connection's statement for `sql`, in the default mode (rows as objects); a caller may switch it to raw or
 * pluck for its own call. Not for statements iterated while another use of the same SQL could run.
 */
export function statement(db: Database, sql: string): Statement {
  let byText = cache.get(db);
  if (!byText) cache.set(db, (byText = new Map()));
  let s = byText.get(sql);
  if (!s) byText.set(sql, (s = db.prepare(sql)));
  else if (s.reader) s.pluck(false).expand(false).raw(false);
  return s;
}
