// Postgres URLs: printed without passwords whatever their shape; sslmode read as libpq reads it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePgUrl, redactUrl, scrubSecrets } from '../../src/store/postgres/url.js';
import { UsageError } from '../../src/errors.js';

test('redactUrl hides the password in the user part and in password= query parameters', () => {
  const cases: [string, string][] = [
    ['postgres://user:secret@db.example:5432/docs', 'postgres://user:***@db.example:5432/docs'],
    ['postgresql://user:secret@db.example/docs?sslmode=require', 'postgresql://user:***@db.example/docs?sslmode=require'],
    ['postgres://user@db.example/docs', 'postgres://user@db.example/docs'],
    ['postgres://db.example:5432/docs', 'postgres://db.example:5432/docs'],
    ['postgres://', 'postgres://'],
    ['postgres://user@host/db?password=secret&sslmode=disable', 'postgres://user@host/db?password=***&sslmode=disable'],
    ['postgres://host/db?sslmode=disable&password=secret', 'postgres://host/db?sslmode=disable&password=***'],
    ['postgres://host/db?PASSWORD=secret', 'postgres://host/db?PASSWORD=***'],
    // Percent-encoded special characters stay hidden whole.
    ['postgres://user:p%40ss%2Fw%3Ford%23@host/db', 'postgres://user:***@host/db'],
    ['postgres://us%40er:s%3Ac@host/db', 'postgres://us%40er:***@host/db'],
    // Unencoded @ / ? # : in a password (which URL parsers misread): still nothing of it shown.
    ['postgres://user:p@ss@host/db', 'postgres://user:***@host/db'],
    ['postgres://user:pa/ss@host/db', 'postgres://user:***@host/db'],
    ['postgres://user:pa?ss@host/db', 'postgres://user:***@host/db'],
    ['postgres://user:12#34@host/db', 'postgres://user:***@host/db'],
    ['postgres://user:a:b:c@host/db', 'postgres://user:***@host/db'],
    ['postgres://user:ünï cödé@host/db', 'postgres://user:***@host/db'],
  ];
  for (const [url, want] of cases) assert.equal(redactUrl(url), want, url);
});

test('redactUrl errs on the side of hiding: an @ in a query value hides more than needed, never a password', () => {
  const out = redactUrl('postgres://user:secret@host:5432/db?application_name=me@work');
  assert.ok(!out.includes('secret'));
  assert.equal(redactUrl('postgres://host/db?application_name=me@work'), 'postgres://host/db?application_name=me@work');
});

test('scrubSecrets removes every occurrence of each secret', () => {
  assert.equal(scrubSecrets('auth failed for "s3cr3t" (s3cr3t)', ['s3cr3t']), 'auth failed for "***" (***)');
  assert.equal(scrubSecrets('nothing here', ['', 'x']), 'nothing here');
});

test('parsePgUrl: sslmode from the URL, else PGSSLMODE, else prefer, with libpq meanings', () => {
  const none = {};
  assert.equal(parsePgUrl('postgres://h/db', none).ssl, 'prefer');
  assert.equal(parsePgUrl('postgres://h/db?sslmode=disable', none).ssl, false);
  assert.equal(parsePgUrl('postgres://h/db', { PGSSLMODE: 'disable' }).ssl, false);
  assert.equal(parsePgUrl('postgres://h/db?sslmode=allow', none).ssl, 'prefer');
  // require: encrypted, not verified (node-postgres alone would verify it like verify-full).
  assert.deepEqual(parsePgUrl('postgres://h/db?sslmode=require', { PGSSLMODE: 'disable' }).ssl, { rejectUnauthorized: false });
  const ca = parsePgUrl('postgres://h/db?sslmode=verify-ca', none).ssl as { checkServerIdentity?: unknown };
  assert.equal(typeof ca.checkServerIdentity, 'function');
  assert.deepEqual(parsePgUrl('postgres://h/db?sslmode=verify-full', none).ssl, {});
  assert.deepEqual(parsePgUrl('postgres://h/db?ssl=true', none).ssl, {});
  assert.throws(() => parsePgUrl('postgres://h/db?sslmode=sometimes', none), UsageError);
});

test('parsePgUrl: TLS parameters leave the connection string; the password is a secret; bad URLs are refused without it', () => {
  const c = parsePgUrl('postgres://u:p%40ss@h:5433/my%20db?sslmode=require&application_name=x', { PGPASSWORD: 'envpw' });
  assert.equal(c.connectionString, 'postgres://u:p%40ss@h:5433/my%20db?application_name=x');
  assert.equal(c.location, 'postgres://u:***@h:5433/my%20db?sslmode=require&application_name=x');
  assert.equal(c.database, 'my db');
  assert.deepEqual(c.secrets.sort(), ['envpw', 'p%40ss', 'p@ss']);
  assert.equal(parsePgUrl('postgres://h', { PGDATABASE: 'fromenv' }).database, 'fromenv');
  for (const bad of ['postgres://user:12#34@host/db', 'postgres://user:p#ss@host/db']) {
    const err = (() => { try { parsePgUrl(bad, {}); } catch (e) { return e as Error; } return undefined; })();
    assert.ok(err instanceof UsageError, bad);
    assert.ok(!err.message.includes('34') && !err.message.includes('p#ss'), err.message);
  }
});
