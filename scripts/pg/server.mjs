#!/usr/bin/env node
// A throwaway PostgreSQL 18.6 + pgvector 0.8.6 server for tests and CI (no npm dependencies).
//
//   node scripts/pg/server.mjs start [--state FILE] [--json] [--watch-pid PID]
//       Provisions the binaries (scripts/pg/provision.sh), initdb's a fresh cluster in a new temp
//       folder, starts it on 127.0.0.1 on a free port, creates the database docproc_test, checks
//       that `CREATE EXTENSION vector` gives 0.8.6, and prints the URL
//       (postgres://docproc:PASSWORD@127.0.0.1:PORT/docproc_test) on stdout, or with --json
//       {url, dir, port, ...}. --state FILE also writes that JSON to FILE (for `stop --state`).
//       --watch-pid PID: a small detached watchdog stops the server once PID is gone, so a killed
//       test run leaves no server behind.
//   node scripts/pg/server.mjs stop (--state FILE | DIR)
//       Stops the server and deletes its folder (data included). Stopping nothing is not an error.
//
// As root (initdb and postgres refuse to run as root), the cluster and the server run as an
// unprivileged user: PG_TEST_RUN_AS (a user name), else `nobody`, else a `docproc-pg` system user
// created with useradd; switched to with setpriv (util-linux). As any other user they run as
// that user. Exit status of start: 0 ok, 3 Postgres is unavailable here (see provision.sh), 1 error.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const MARKER = 'docproc-pg-server.json';
const DATABASE = 'docproc_test';
const SUPERUSER = 'docproc';
const VECTOR_VERSION = '0.8.6';

class Unavailable extends Error {}

const log = (msg) => process.stderr.write(`pg-server: ${msg}\n`);

/** The environment for Postgres tools: no PG* variables of the caller (PGPORT, PGOPTIONS, ...). */
function cleanEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PG')) env[k] = v;
  return { ...env, LC_ALL: 'C', ...extra };
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  if (r.error) return { ok: false, out: '', err: String(r.error.message), status: null };
  return { ok: r.status === 0, out: r.stdout ?? '', err: r.stderr ?? '', status: r.status };
}

function idOf(flag, user) {
  const r = run('id', [flag, user]);
  return r.ok ? Number(r.out.trim()) : undefined;
}

/** Who runs initdb and postgres: null = ourselves; else {uid, gid, name} to switch to. */
function runAs() {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  const wanted = process.env.PG_TEST_RUN_AS;
  for (const name of wanted ? [wanted] : ['nobody', 'docproc-pg']) {
    const uid = idOf('-u', name);
    const gid = idOf('-g', name);
    if (uid !== undefined && gid !== undefined && uid !== 0) return { uid, gid, name };
  }
  if (wanted) throw new Unavailable(`PG_TEST_RUN_AS=${wanted} is not an unprivileged user here`);
  const r = run('useradd', ['--system', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', 'docproc-pg']);
  const uid = idOf('-u', 'docproc-pg');
  const gid = idOf('-g', 'docproc-pg');
  if (uid === undefined || gid === undefined) throw new Unavailable(`running as root, no 'nobody' user, and useradd failed: ${r.err.trim()}`);
  log(`created the system user docproc-pg (uid ${uid}) to run Postgres`);
  return { uid, gid, name: 'docproc-pg' };
}

/** [cmd, args] that run `cmd args` as `who` (or as ourselves when who is null). */
function as(who, cmd, args) {
  if (!who) return [cmd, args];
  if (run('setpriv', ['--version']).ok) {
    return ['setpriv', [`--reuid=${who.uid}`, `--regid=${who.gid}`, '--clear-groups', '--', cmd, ...args]];
  }
  if (run('runuser', ['--version']).ok) return ['runuser', ['-u', who.name, '--', cmd, ...args]];
  throw new Unavailable('running as root, but neither setpriv nor runuser (util-linux) is available to drop privileges');
}

/** Every folder from / down to p lets others in (o+x). */
function othersCanReach(p) {
  for (let d = path.resolve(p); ; d = path.dirname(d)) {
    let st;
    try { st = fs.statSync(d); } catch { return false; }
    if ((st.mode & 0o001) === 0) return false;
    if (d === path.dirname(d)) return true;
  }
}

function provision() {
  const r = run('bash', [path.join(here, 'provision.sh')], { stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status === 3) throw new Unavailable('provisioning failed (see the pg-provision message above)');
  if (!r.ok) throw new Error(`scripts/pg/provision.sh failed (exit ${r.status}) ${r.err}`);
  const bin = r.out.trim().split('\n').pop();
  if (!bin || !fs.existsSync(path.join(bin, 'postgres'))) throw new Error(`provision.sh printed no bin folder: ${r.out}`);
  return bin;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function tail(file, n = 30) {
  try { return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n'); } catch { return '(no log)'; }
}

function readState(dir) {
  try {
    const st = JSON.parse(fs.readFileSync(path.join(dir, MARKER), 'utf8'));
    return st && st.dir === dir ? st : undefined;
  } catch { return undefined; }
}

async function start(opts) {
  const t0 = Date.now();
  const bin = provision();
  const tProvision = Date.now() - t0;
  const who = runAs();

  // The folder (data, socket, log) lives in the temp folder; as root, one the server's user can reach.
  let tmp = os.tmpdir();
  if (who && !othersCanReach(tmp)) tmp = '/tmp';
  if (who && !othersCanReach(bin)) throw new Unavailable(`${bin} is not reachable by ${who.name}; set PG_TEST_CACHE_DIR to a folder others can read`);
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(tmp, 'docproc-pg-')));
  const cleanupDir = () => fs.rmSync(dir, { recursive: true, force: true });
  const password = crypto.randomBytes(18).toString('base64url');
  const state = {
    marker: 'docproc-pg', dir, data: path.join(dir, 'data'), log: path.join(dir, 'server.log'), bin,
    port: 0, url: '', user: who ? { uid: who.uid, gid: who.gid, name: who.name } : null,
  };
  const toolEnv = cleanEnv({ HOME: dir });
  const tool = (name, args, o = {}) => {
    const [cmd, argv] = as(who, path.join(bin, name), args);
    return run(cmd, argv, { env: toolEnv, cwd: dir, ...o });
  };
  let running = false;
  try {
    fs.chmodSync(dir, 0o700);
    const pwfile = path.join(dir, 'pwfile');
    fs.writeFileSync(pwfile, password + '\n', { mode: 0o600 });
    if (who) {
      fs.chownSync(dir, who.uid, who.gid);
      fs.chownSync(pwfile, who.uid, who.gid);
    }
    // Trust on the private socket folder only; TCP needs the password (other local users share 127.0.0.1).
    const init = tool('initdb', [
      '-D', state.data, '-U', SUPERUSER, `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256',
      '-E', 'UTF8', '--locale=C', '--locale-provider=builtin', '--builtin-locale=C.UTF-8', '--no-sync', '--no-instructions',
    ]);
    fs.rmSync(pwfile, { force: true });
    if (!init.ok) throw new Error(`initdb failed:\n${init.out}${init.err}`);
    fs.writeFileSync(path.join(dir, MARKER), JSON.stringify(state, null, 2) + '\n');

    const tStart = Date.now();
    // A port that is free now may be taken before postgres binds it: retry with another.
    for (let attempt = 1; ; attempt++) {
      state.port = await freePort();
      // Throwaway data: no fsync, no full-page writes; small shared memory for shared test machines.
      const pgOpts = [
        `-c listen_addresses=127.0.0.1`, `-p ${state.port}`, `-c unix_socket_directories='${dir}'`,
        '-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off',
        '-c shared_buffers=32MB', '-c max_connections=100', '-c timezone=UTC',
      ].join(' ');
      const r = tool('pg_ctl', ['start', '-w', '-t', '60', '-D', state.data, '-l', state.log, '-s', '-o', pgOpts]);
      if (r.ok) { running = true; break; }
      const why = tail(state.log);
      if (attempt < 5 && /could not (bind|create listen socket)|Address already in use/i.test(why)) continue;
      throw new Error(`pg_ctl start failed:\n${r.out}${r.err}\n--- ${state.log} ---\n${why}`);
    }
    const tStarted = Date.now() - tStart;
    state.url = `postgres://${SUPERUSER}:${password}@127.0.0.1:${state.port}/${DATABASE}`;

    // psql from the wheel, as ourselves, over TCP with the password: proves the URL works.
    const psql = (db, sql) => run(path.join(bin, 'psql'), [
      '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(state.port), '-U', SUPERUSER, '-d', db, '-c', sql,
    ], { env: cleanEnv({ PGPASSWORD: password, PGCONNECT_TIMEOUT: '10' }), cwd: dir });
    const created = psql('postgres', `CREATE DATABASE ${DATABASE}`);
    if (!created.ok) throw new Error(`CREATE DATABASE ${DATABASE} failed: ${created.err}`);
    // Checked in a rolled-back transaction: docproc_test stays empty, the tests create what they need.
    const vec = psql(DATABASE, "BEGIN; CREATE EXTENSION vector; SELECT extversion FROM pg_extension WHERE extname = 'vector'; ROLLBACK;");
    if (!vec.ok) throw new Error(`CREATE EXTENSION vector failed: ${vec.err}`);
    if (vec.out.trim() !== VECTOR_VERSION) throw new Error(`pgvector is ${vec.out.trim()}, expected ${VECTOR_VERSION}`);

    fs.writeFileSync(path.join(dir, MARKER), JSON.stringify(state, null, 2) + '\n');
    if (opts.state) fs.writeFileSync(opts.state, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
    if (opts.watchPid) watchdog(opts.watchPid, dir);
    log(`PostgreSQL 18.6 + pgvector ${VECTOR_VERSION} on 127.0.0.1:${state.port}, database ${DATABASE}` +
      `${who ? `, running as ${who.name}` : ''}, folder ${dir} (provision ${tProvision} ms, start ${tStarted} ms)`);
    process.stdout.write((opts.json ? JSON.stringify(state) : state.url) + '\n');
  } catch (e) {
    if (running) stopDir(dir, true);
    else cleanupDir();
    throw e;
  }
}

/** A detached shell that stops the server once `pid` has exited (no stdio: it must not hold pipes open). */
function watchdog(pid, dir) {
  const script = 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; exec "$2" "$3" stop "$4"';
  const child = spawn('sh', ['-c', script, 'docproc-pg-watchdog', String(pid), process.execPath, fileURLToPath(import.meta.url), dir], {
    detached: true, stdio: 'ignore', cwd: '/',
  });
  child.unref();
}

function stopDir(dir, quiet = false) {
  const st = readState(dir);
  if (!st || st.marker !== 'docproc-pg') {
    if (!quiet && fs.existsSync(dir)) log(`${dir} is not a docproc test server folder; leaving it alone`);
    return false;
  }
  const who = st.user;
  if (fs.existsSync(path.join(st.data, 'postmaster.pid'))) {
    const [cmd, argv] = as(who, path.join(st.bin, 'pg_ctl'), ['stop', '-D', st.data, '-m', 'fast', '-w', '-t', '30', '-s']);
    const r = run(cmd, argv, { env: cleanEnv({ HOME: dir }), cwd: dir });
    if (!r.ok) {
      // pg_ctl could not do it (binaries gone, timeout): signal the postmaster directly.
      const pid = Number(tail(path.join(st.data, 'postmaster.pid'), 1000).split('\n')[0]);
      if (pid > 1) {
        try { process.kill(pid, 'SIGQUIT'); } catch { /* gone */ }
        const until = Date.now() + 5000;
        while (Date.now() < until) {
          try { process.kill(pid, 0); } catch { break; }
          spawnSync('sleep', ['0.1']);
        }
        try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      }
      if (!quiet) log(`pg_ctl stop failed (${r.err.trim()}); signalled the postmaster`);
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  if (!quiet) log(`stopped the server on port ${st.port} and removed ${dir}`);
  return true;
}

function parse(argv) {
  const opts = { positional: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') opts.json = true;
    else if (a === '--state') opts.state = argv[++i];
    else if (a === '--watch-pid') opts.watchPid = Number(argv[++i]);
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else opts.positional.push(a);
  }
  if (opts.watchPid !== undefined && !(opts.watchPid > 0)) throw new Error('--watch-pid needs a process id');
  return opts;
}

async function main() {
  const [cmd, ...rest] = process.argv.slice(2);
  const opts = parse(rest);
  if (cmd === 'start') return start(opts);
  if (cmd === 'stop') {
    let dir = opts.positional[0];
    if (!dir && opts.state) {
      let text = '';
      try { text = fs.readFileSync(opts.state, 'utf8'); } catch { /* no state: nothing was started */ }
      if (!text.trim()) { log('no server to stop'); return; }
      dir = JSON.parse(text).dir;
    }
    if (!dir) throw new Error('stop needs --state FILE or the server folder');
    if (!stopDir(path.resolve(dir))) log(`no server at ${dir}`);
    return;
  }
  throw new Error('usage: server.mjs start [--state FILE] [--json] [--watch-pid PID] | stop (--state FILE | DIR)');
}

main().catch((e) => {
  log(e instanceof Unavailable ? `unavailable: ${e.message}` : `error: ${e.message}`);
  process.exit(e instanceof Unavailable ? 3 : 1);
});
