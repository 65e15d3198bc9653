// Connections of the Postgres store under pressure, against a real PostgreSQL: a busy pool makes callers wait
// (only opening a connection times out), and once connected, a connection the server refuses for the moment is
// tried again instead of failing the run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/store.js';
import { isTransientConnectError } from '../../src/store/postgres/reconnect.js';
import { DocprocError } from '../../src/errors.js';
import { freshDatabase, pgTestUrl, sql } from '../helpers/pg.js';

const base = await pgTestUrl();
const skip = typeof base === 'string' ? undefined : base.skip;
const sleeps = (store: PostgresStore, n: number, seconds: number): Promise<unknown[]> =>
  Promise.all(Array.from({ length: n }, () => store.pool.query(`SELECT pg_sleep(${seconds})`)));

test('postgres: callers wait for a busy pool past the connect timeout; opening a connection still times out', { skip }, async () => {
  const db = await freshDatabase(base as string);
  try {
    const store = await openPostgresStore(db.url, { connectTimeoutMs: 250 });
    try {
      // 30 statements of 0.3 s on 10 connections: the last wait about 0.9 s for a free one.
      await sleeps(store, 30, 0.3);
    } finally {
      await store.close();
    }
  } finally {
    await db.drop();
  }
  // A server that accepts and never answers: the open gives up after the connect timeout, with the reason.
  const silent = net.createServer(() => {});
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  try {
    const port = (silent.address() as net.AddressInfo).port;
    const started = Date.now();
    const err = await openPostgresStore(`postgres://u:secret@127.0.0.1:${port}/db?sslmode=disable`, { connectTimeoutMs: 300 }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof DocprocError && err.code === 'db-connect', String(err));
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
    assert.ok(!err.message.includes('secret'));
  } finally {
    silent.close();
  }
});

test('postgres: once connected, connections refused by the role\'s limit are tried again until one is free', { skip }, async () => {
  const db = await freshDatabase(base as string);
  const role = `docproc_lim_${process.pid}`;
  await sql(db.url, 'CREATE EXTENSION IF NOT EXISTS vector');
  await sql(db.url, `CREATE ROLE ${role} LOGIN PASSWORD 'lim-pw' CONNECTION LIMIT 2`);
  try {
    const name = new URL(db.url).pathname.slice(1);
    await sql(db.url, `GRANT CREATE ON DATABASE ${name} TO ${role}`);
    const u = new URL(db.url);
    [u.username, u.password] = [role, 'lim-pw'];
    // Patient: six statements on a role allowed two connections all run.
    const patient = await openPostgresStore(u.toString(), { reconnectMs: 30_000 });
    try {
      await sleeps(patient, 6, 0.2);
    } finally {
      await patient.close();
    }
    // Impatient: the refusal is the run's error, as before.
    const impatient = await openPostgresStore(u.toString(), { reconnectMs: 0 });
    try {
      const err = await sleeps(impatient, 6, 0.2).then(() => undefined, (e: unknown) => e as { code?: string });
      assert.equal(err?.code, '53300');
      assert.ok(isTransientConnectError(err));
    } finally {
      await impatient.close();
    }
  } finally {
    await db.drop();
    await sql(base as string, `DROP ROLE IF EXISTS ${role}`);
  }
});

test('postgres: only refusals a moment may cure count as transient', () => {
  for (const code of ['53300', '57P03', 'ECONNREFUSED', 'ECONNRESET']) assert.ok(isTransientConnectError(Object.assign(new Error('x'), { code })), code);
  assert.ok(isTransientConnectError(new Error('timeout expired')));
  assert.ok(isTransientConnectError(new Error('Connection terminated due to connection timeout', { cause: new Error('timeout expired') })));
  for (const code of ['28P01', '3D000', '42501', '40P01']) assert.ok(!isTransientConnectError(Object.assign(new Error('x'), { code })), code);
  assert.ok(!isTransientConnectError(new Error('The server does not support SSL connections')));
});
