// Postgres specifics of backups: pg_dump -Fc of docproc's schema (when a pg_dump at least as new as the server
// is on the PATH), row counts per table from the very snapshot the dump reads, and pg_restore into one
// transaction. The one module that runs the Postgres client programs.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { DocprocError } from '../../errors.js';

/** A URL without its password, which goes to the child in PGPASSWORD instead of its (visible) argv. */
function connection(url: string): { url: string; env: NodeJS.ProcessEnv } {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = '';
  return { url: u.toString(), env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) } };
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env, maxBuffer: 64 << 20, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new DocprocError(`${path.basename(file)} failed: ${(stderr || err.message).trim().split('\n').slice(-3).join(' ')}`, { cause: err }));
      else resolve(stdout);
    });
  });
}

export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env['PATH'] ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

const majorOf = (versionText: string): number => Number(/(\d+)(?:\.\d+)?/.exec(versionText)?.[1] ?? NaN);

/** pg_dump refuses a server newer than itself: such a pg_dump counts as absent (the portable export is used). */
export async function usablePgDump(url: string): Promise<{ pgDump: string; pgRestore: string } | { reason: string }> {
  const pgDump = findExecutable('pg_dump');
  const pgRestore = findExecutable('pg_restore');
  if (!pgDump || !pgRestore) return { reason: 'pg_dump and pg_restore are not on the PATH' };
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let server: number;
  try {
    server = Math.floor(Number((await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0]!.v) / 10000);
  } finally {
    await client.end();
  }
  const dumpMajor = majorOf(await run(pgDump, ['--version'], process.env));
  if (!(dumpMajor >= server)) return { reason: `${pgDump} is version ${dumpMajor}, older than the server (${server})` };
  return { pgDump, pgRestore };
}

const quoteIdent = (name: string): string => '"' + name.replace(/"/g, '""') + '"';

/** Rows of every table in the schema, keyed `pg.<table>`, read in the given transaction. */
async function countTables(client: pg.Client, schema: string): Promise<Record<string, number>> {
  const tables = await client.query<{ t: string }>(
    "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY 1", [schema]);
  const out: Record<string, number> = {};
  for (const { t } of tables.rows) {
    const r = await client.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${quoteIdent(schema)}.${quoteIdent(t)}`);
    out[`pg.${t}`] = Number(r.rows[0]!.n);
  }
  return out;
}

/** Dumps the schema and counts its tables in one snapshot: the counts are exactly what the archive holds. */
export async function dumpSchema(tools: { pgDump: string }, url: string, schema: string, file: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const snapshot = (await client.query<{ s: string }>('SELECT pg_export_snapshot() AS s')).rows[0]!.s;
    const counts = await countTables(client, schema);
    const c = connection(url);
    await run(tools.pgDump, ['-Fc', '-n', schema, '--no-owner', '--no-privileges', `--snapshot=${snapshot}`, '-f', file, '-d', c.url], c.env);
    await client.query('COMMIT');
    return counts;
  } finally {
    await client.end();
  }
}

/** The archive's table of contents: it must read, and hold the data of every counted table. */
export async function archiveProblems(tools: { pgRestore: string }, file: string, schema: string, counts: Record<string, number>): Promise<string[]> {
  let toc: string;
  try {
    toc = await run(tools.pgRestore, ['--list', file], process.env);
  } catch (err) {
    return [`pg_restore cannot read the archive: ${(err as Error).message}`];
  }
  return Object.keys(counts).filter((k) => k.startsWith('pg.'))
    .filter((k) => !toc.includes(`TABLE DATA ${schema} ${k.slice(3)} `))
    .map((k) => `the archive holds no data for table ${schema}.${k.slice(3)}`);
}

/** Replaces the schema's contents with the archive's in one transaction, then counts what arrived. */
export async function restoreArchive(tools: { pgRestore: string }, file: string, url: string, schema: string): Promise<Record<string, number>> {
  const c = connection(url);
  await run(tools.pgRestore, ['--single-transaction', '--clean', '--if-exists', '--no-owner', '--no-privileges', '-d', c.url, file], c.env);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await countTables(client, schema);
  } finally {
    await client.end();
  }
}
