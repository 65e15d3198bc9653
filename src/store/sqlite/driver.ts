// Loads the better-sqlite3 build that suits this Node: 12.x (Node 20 and up), or 13.x (Node-API) from Node 22.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export type SqliteDriver = typeof import('better-sqlite3');

/**
 * better-sqlite3 12 wraps node::ObjectWrap, which on Node 24 aborts the process when a statement is garbage
 * collected ("Assertion failed: (env) != nullptr"); 13 uses Node-API and needs Node >= 22. Both are
 * installed where they fit (13 is an optional dependency that npm skips on Node 20).
 */
export function loadSqliteDriver(): SqliteDriver {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= 22) {
    try {
      return require('better-sqlite3-napi') as SqliteDriver;
    } catch {
      // not installed (or failed to build): fall back to 12.x
    }
  }
  return require('better-sqlite3') as SqliteDriver;
}
