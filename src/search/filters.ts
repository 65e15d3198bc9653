// Document filters (path globs, types, since): resolved to the allowed document ids the SQL runs inside.
import type { IndexView } from '../contracts/index-store.js';
import { compileGlobs } from '../pipeline/glob.js';
import type { SearchQuery } from './types.js';

export function hasFilters(q: Pick<SearchQuery, 'paths' | 'types' | 'since'>): boolean {
  return !!(q.paths?.length || q.types?.length || q.since);
}

/**
 * The ids of documents passing every filter, or null when there is no filter. Globs run in JS (SQLite's
 * GLOB has no `**` and lets `*` cross `/`); the id list then constrains both retrievers inside SQL.
 */
export async function allowedDocumentIds(view: IndexView, q: Pick<SearchQuery, 'paths' | 'types' | 'since'>): Promise<number[] | null> {
  if (!hasFilters(q)) return null;
  const matchPath = q.paths?.length ? compileGlobs(q.paths) : null;
  const types = q.types?.length ? new Set(q.types.map((t) => t.toLowerCase().replace(/^\./, ''))) : null;
  const sinceMs = q.since?.getTime();
  return (await view.filterableDocuments())
    .filter((d) => {
      if (matchPath && !matchPath(d.relPath) && !matchPath(d.path)) return false;
      if (types && !types.has((d.type ?? '').toLowerCase())) return false;
      if (sinceMs !== undefined && (d.mtimeMs ?? -Infinity) < sinceMs) return false;
      return true;
    })
    .map((d) => d.id);
}
