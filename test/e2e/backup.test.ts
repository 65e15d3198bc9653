// backup, backup --verify and restore end to end: the built CLI on a real index of the fixtures, real files
// flipped and damaged, retention in a folder shared with other files, and a restore refused under a live writer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fixturesDir, runCli, spawnCli, tempDir } from '../helpers/cli.js';
import { LATEST_SCHEMA_VERSION } from '../../src/store/sqlite/migrations.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';

const work = tempDir('docproc-backup-e2e-');
after(() => fs.rmSync(work, { recursive: true, force: true }));
const db = path.join(work, 'fixtures.db');
const QUERIES = ['sourdough starter', 'lighthouse keeper', 'volcano eruption', 'kayak rental prices', 'bee hive'];

interface Report { file: string; manifest: string; method: string; sizeBytes: number; sha256: string; counts: Record<string, number>; durationMs: number; deleted: string[] }
type Manifest = Record<string, unknown> & { file: string; sha256: string; createdAt: string; counts: Record<string, number> };

const cli = (args: string[], env?: Record<string, string>) => runCli(args, { cwd: work, env });
const readManifest = (file: string): Manifest => JSON.parse(fs.readFileSync(file + '.manifest.json', 'utf8')) as Manifest;

async function backup(out: string, ...extra: string[]): Promise<Report> {
  const r = await cli(['backup', '--db', db, '--out', out, '--json', ...extra]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Report;
}

async function answers(index: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const q of QUERIES) {
    for (const mode of ['keyword', 'hybrid']) {
      const r = await cli(['search', q, '--db', index, '--mode', mode, '--json', '-k', '5']);
      assert.equal(r.code, 0, r.stderr);
      out.push((JSON.parse(r.stdout) as { path: string; chunkId: number; score: number }[]).map((h) => [h.path, h.chunkId, h.score]));
    }
  }
  return out;
}

function flipByte(file: string, offset: number): void {
  const fd = fs.openSync(file, 'r+');
  const b = Buffer.alloc(1);
  fs.readSync(fd, b, 0, 1, offset);
  fs.writeSync(fd, Buffer.from([b[0]! ^ 0x01]), 0, 1, offset);
  fs.closeSync(fd);
}

/** A copy of a backup and its manifest in a folder of its own (the manifest names the file, so names stay). */
function copyBackup(file: string, dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const dest = path.join(dir, path.basename(file));
  fs.copyFileSync(file, dest);
  fs.copyFileSync(file + '.manifest.json', dest + '.manifest.json');
  return dest;
}

before(async () => {
  const r = await cli(['ingest', fixturesDir + '/docs', '--db', db, '--json']);
  assert.equal(r.code, 0, r.stderr);
}, { timeout: 600_000 });

test('backup: a verified copy with a manifest (version, schema, identity, roots, counts per table, sha256, time); --verify passes', { timeout: 120_000 }, async (t) => {
  const out = path.join(work, 'b1');
  const r = await backup(out);
  t.diagnostic(`backup of the fixtures index: ${(r.sizeBytes / 1048576).toFixed(1)} MB in ${r.durationMs} ms (copy, hash, verify)`);
  assert.equal(r.method, 'sqlite-vacuum-into');
  assert.deepEqual(fs.readdirSync(out).sort(), [path.basename(r.file), path.basename(r.file) + '.manifest.json'], 'no temp files left');
  const m = readManifest(r.file);
  const pkg = JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(m['format'], 'docproc-backup');
  assert.equal(m['docprocVersion'], pkg.version);
  assert.equal(m['schemaVersion'], LATEST_SCHEMA_VERSION);
  assert.equal(m['source'], db);
  assert.ok(Math.abs(Date.parse(m.createdAt) - Date.now()) < 120_000);
  const store = new SqliteStore(db, { readonly: true });
  try {
    const stats = await store.stats();
    const identity = await store.identity();
    assert.deepEqual(m['identity'], JSON.parse(JSON.stringify(identity)));
    assert.deepEqual(m['roots'], await store.roots());
    assert.deepEqual(m['documentsByStatus'], stats.documents);
    assert.deepEqual(m.counts, {
      documents: Object.values(stats.documents).reduce((a, b) => a + b, 0), chunks: stats.chunks, vectors: stats.vectors,
      runs: (await store.runs.last(1000)).length, roots: (await store.roots()).length,
    });
  } finally {
    await store.close();
  }
  const { createHash } = await import('node:crypto');
  assert.equal(m.sha256, createHash('sha256').update(fs.readFileSync(r.file)).digest('hex'));
  assert.equal(m['sizeBytes'], fs.statSync(r.file).size);
  const probe = m['probe'] as { query: string; hits: number };
  assert.ok(probe.query.length >= 4 && probe.hits > 0);

  const v = await cli(['backup', '--verify', r.file, '--json']);
  assert.equal(v.code, 0, v.stderr);
  assert.equal((JSON.parse(v.stdout) as { verified: boolean }).verified, true);
  const byManifest = await cli(['backup', '--verify', r.file + '.manifest.json']);
  assert.equal(byManifest.code, 0);
  assert.match(byManifest.stdout, /^verified .*sha256, integrity/);
});

test('backup --verify: one flipped byte, a damaged page, a missing manifest or file all fail with exit 3; restore refuses them', { timeout: 120_000 }, async () => {
  const r = await backup(path.join(work, 'b2'));
  const size = fs.statSync(r.file).size;
  for (const [i, offset] of [Math.floor(size / 2), size - 1, 100].entries()) {
    const copy = copyBackup(r.file, path.join(work, `flip${i}`));
    flipByte(copy, offset);
    const v = await cli(['backup', '--verify', copy]);
    assert.equal(v.code, 3, `byte ${offset}: ${v.stderr}`);
    assert.match(v.stderr, /failed verification: .*sha256 [0-9a-f]{12}…, the manifest says/);
  }

  // A damaged b-tree page whose manifest was rewritten to match: the integrity check still catches it.
  const damaged = copyBackup(r.file, path.join(work, 'damaged'));
  const s = new SqliteStore(damaged, { readonly: true });
  const page = (s.db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'documents'").get() as { rootpage: number }).rootpage;
  const pageSize = s.db.pragma('page_size', { simple: true }) as number;
  s.db.close();
  const fd = fs.openSync(damaged, 'r+');
  fs.writeSync(fd, Buffer.from([0]), 0, 1, (page - 1) * pageSize);
  fs.closeSync(fd);
  const { createHash } = await import('node:crypto');
  const m = readManifest(damaged);
  fs.writeFileSync(damaged + '.manifest.json', JSON.stringify({ ...m, sha256: createHash('sha256').update(fs.readFileSync(damaged)).digest('hex') }));
  const v = await cli(['backup', '--verify', damaged]);
  assert.equal(v.code, 3, v.stderr);
  assert.match(v.stderr, /integrity_check|malformed|cannot open/);

  const target = path.join(work, 'untouched.db');
  fs.copyFileSync(db, target);
  const before = fs.readFileSync(target);
  const refused = await cli(['restore', damaged, '--db', target]);
  assert.equal(refused.code, 3);
  assert.ok(fs.readFileSync(target).equals(before), 'the index is untouched');
  assert.deepEqual(fs.readdirSync(work).filter((f) => f.startsWith('untouched.db')), ['untouched.db']);

  const noManifest = copyBackup(r.file, path.join(work, 'nomanifest'));
  fs.rmSync(noManifest + '.manifest.json');
  const nm = await cli(['backup', '--verify', noManifest]);
  assert.equal(nm.code, 3);
  assert.match(nm.stderr, /no manifest .*not a backup made by docproc backup/);
  const noFile = copyBackup(r.file, path.join(work, 'nofile'));
  fs.rmSync(noFile);
  assert.equal((await cli(['backup', '--verify', noFile])).code, 3);
});

test('retention: deletes only docproc backups (by manifest) past --retention-days or beyond --keep, never other files, never after a failed backup', { timeout: 180_000 }, async () => {
  const out = path.join(work, 'retain');
  const DAY = 86_400_000;
  const aged = async (daysAgo: number): Promise<string> => {
    const r = await backup(out, '--retention-days', '0');
    const m = readManifest(r.file);
    // createdAt is data: an old backup is one whose manifest says so (its file's sha256 is unchanged).
    fs.writeFileSync(r.file + '.manifest.json', JSON.stringify({ ...m, createdAt: new Date(Date.now() - daysAgo * DAY).toISOString() }));
    return r.file;
  };
  const d40 = await aged(40);
  const d35 = await aged(35);
  const d10 = await aged(10);
  const d2 = await aged(2);
  // Other things in the folder, some looking much like backups.
  const foreign = ['notes.txt', 'docproc-20200101T000000000Z.sqlite', 'other.manifest.json', 'docproc-renamed.sqlite.manifest.json'];
  fs.writeFileSync(path.join(out, 'notes.txt'), 'mine');
  fs.writeFileSync(path.join(out, 'docproc-20200101T000000000Z.sqlite'), 'not a backup of docproc: no manifest');
  fs.writeFileSync(path.join(out, 'other.manifest.json'), JSON.stringify({ format: 'something-else', createdAt: '2001-01-01T00:00:00Z' }));
  // A real manifest copied under another name does not make that name a docproc backup.
  fs.writeFileSync(path.join(out, 'docproc-renamed.sqlite.manifest.json'), JSON.stringify({ ...readManifest(d40), createdAt: '2001-01-01T00:00:00.000Z' }));
  fs.mkdirSync(path.join(out, 'docproc-dir'));
  const listed = (): string[] => fs.readdirSync(out).sort();
  const withManifests = (files: string[]): string[] => files.flatMap((f) => [path.basename(f), path.basename(f) + '.manifest.json']);

  // A failed backup (no index there) never triggers retention: the old ones all stay.
  const snapshot = listed();
  const failed = await cli(['backup', '--db', path.join(work, 'missing.db'), '--out', out]);
  assert.equal(failed.code, 1);
  assert.deepEqual(listed(), snapshot);

  const r = await backup(out);
  assert.deepEqual(r.deleted.sort(), [d40, d35].sort());
  assert.deepEqual(listed(), [...foreign, 'docproc-dir', ...withManifests([d10, d2, r.file])].sort());

  const r2 = await backup(out, '--keep', '2');
  assert.deepEqual(r2.deleted.sort(), [d10, d2].sort());
  assert.deepEqual(listed(), [...foreign, 'docproc-dir', ...withManifests([r.file, r2.file])].sort());
  const bad = await cli(['backup', '--db', db, '--out', out, '--keep', '0']);
  assert.equal(bad.code, 2, 'keep must be at least 1');
});

test('restore: verified, swapped in atomically, answers exactly as the source; refused under a live writer (exit 4) unless --force', { timeout: 240_000 }, async () => {
  const r = await backup(path.join(work, 'b4'));
  const fresh = path.join(work, 'restored.db');
  const res = await cli(['restore', r.file, '--db', fresh, '--json']);
  assert.equal(res.code, 0, res.stderr);
  assert.equal((JSON.parse(res.stdout) as { previous: string | null }).previous, null);
  assert.deepEqual(await answers(fresh), await answers(db));
  const status = await cli(['status', '--db', fresh, '--json']);
  assert.equal(status.code, 0);

  // Over an existing index: the old one is kept beside it, with its WAL.
  const again = await cli(['restore', r.file, '--db', fresh, '--json']);
  assert.equal(again.code, 0, again.stderr);
  const previous = (JSON.parse(again.stdout) as { previous: string }).previous;
  assert.ok(previous.startsWith(fresh + '.pre-restore-') && fs.existsSync(previous));

  // A live writer (watch) holds the index: refused with exit 4 and the index untouched; --force replaces it.
  const docs = path.join(work, 'watched');
  fs.mkdirSync(docs);
  fs.writeFileSync(path.join(docs, 'w.txt'), 'The ferry leaves at noon.\n');
  const watcher = spawnCli(['watch', docs, '--db', fresh, '--json'], { cwd: work });
  let watchErr = '';
  watcher.stderr!.on('data', (d: Buffer) => (watchErr += d.toString()));
  const watchExit = new Promise<number | null>((resolve) => watcher.on('close', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while (!fs.existsSync(fresh + '.lock')) {
    assert.ok(Date.now() < deadline, `watch took the lock: ${watchErr}`);
    await new Promise((res2) => setTimeout(res2, 100));
  }
  const locked = await cli(['restore', r.file, '--db', fresh]);
  assert.equal(locked.code, 4, locked.stderr);
  assert.match(locked.stderr, /refusing to restore over .*locked by pid \d+ \(watch\)[\s\S]*--force/);
  const forced = await cli(['restore', r.file, '--db', fresh, '--force']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.match(forced.stderr, /live writer held the index \(--force\)/);
  watcher.kill('SIGTERM');
  assert.equal(await watchExit, 143, watchErr);
});
