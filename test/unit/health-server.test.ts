// The health HTTP server: security headers on every answer, GET/HEAD only (405), 404 elsewhere, 503 when
// unhealthy, request timeouts, the connection cap, a graceful close; and where it may listen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { silentLogger } from '../../src/log.js';
import { startHealthServer, SECURITY_HEADERS, type HealthHandlers } from '../../src/health/server.js';
import { assertListenAllowed, isLoopback, parseListen } from '../../src/health/listen.js';
import { parseDurationMs } from '../../src/health/duration.js';
import { UsageError } from '../../src/errors.js';
import type { ReadinessReport } from '../../src/health/types.js';

const report = (status: ReadinessReport['status']): ReadinessReport => ({
  status, version: '0.0.0', checks: { index: { status, message: status, durationMs: 1 } },
});

function handlers(over: Partial<HealthHandlers> = {}): HealthHandlers {
  return {
    readiness: async () => report('healthy'),
    metrics: async () => ({ contentType: 'text/plain; version=0.0.4; charset=utf-8', body: 'docproc_chunks 1\n' }),
    ...over,
  };
}

interface Answer { status: number; headers: http.IncomingHttpHeaders; body: string }

function request(url: string, method = 'GET', path = '/livez'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url + path, { method, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function assertSecurityHeaders(a: Answer, what: string): void {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) assert.equal(a.headers[k.toLowerCase()], v, `${what}: ${k}`);
}

test('every answer carries the security headers: 200, 404, 405, 503, 500', async () => {
  let ready: ReadinessReport['status'] = 'healthy';
  const s = await startHealthServer({
    host: '127.0.0.1', port: 0, log: silentLogger,
    handlers: handlers({ readiness: async () => report(ready), metrics: async () => { throw new Error('boom'); } }),
  });
  try {
    const live = await request(s.url);
    assert.deepEqual([live.status, JSON.parse(live.body)], [200, { status: 'ok' }]);
    assertSecurityHeaders(live, '/livez');
    const ok = await request(s.url, 'GET', '/readyz');
    assert.equal(ok.status, 200);
    assert.equal(JSON.parse(ok.body).status, 'healthy');
    ready = 'degraded';
    assert.equal((await request(s.url, 'GET', '/readyz')).status, 200, 'degraded still serves traffic');
    ready = 'unhealthy';
    const bad = await request(s.url, 'GET', '/readyz');
    assert.equal(bad.status, 503);
    assertSecurityHeaders(bad, '503');
    const missing = await request(s.url, 'GET', '/nope');
    assert.equal(missing.status, 404);
    assertSecurityHeaders(missing, '404');
    assert.equal((await request(s.url, 'GET', '/livez/../etc')).status, 404);
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const a = await request(s.url, method, '/readyz');
      assert.equal(a.status, 405, method);
      assert.equal(a.headers['allow'], 'GET, HEAD');
      assertSecurityHeaders(a, method);
    }
    const broken = await request(s.url, 'GET', '/metrics');
    assert.equal(broken.status, 500);
    assertSecurityHeaders(broken, '500');
    assert.doesNotMatch(broken.body, /boom/, 'no internals in the answer');
  } finally {
    await s.close();
  }
});

test('HEAD answers like GET without a body; the query string does not change the route', async () => {
  const s = await startHealthServer({ host: '127.0.0.1', port: 0, log: silentLogger, handlers: handlers() });
  try {
    const get = await request(s.url, 'GET', '/metrics?x=1');
    const head = await request(s.url, 'HEAD', '/metrics');
    assert.equal(get.status, 200);
    assert.equal(get.body, 'docproc_chunks 1\n');
    assert.deepEqual([head.status, head.body, head.headers['content-length'], head.headers['content-type']], [200, '', get.headers['content-length'], get.headers['content-type']]);
    assertSecurityHeaders(head, 'HEAD');
  } finally {
    await s.close();
  }
});

test('connections beyond the cap are closed on arrival; the server answers again once they go', async () => {
  const s = await startHealthServer({ host: '127.0.0.1', port: 0, log: silentLogger, handlers: handlers(), maxConnections: 2 });
  const open = (): Promise<net.Socket> => new Promise((resolve, reject) => {
    const c = net.connect(s.port, '127.0.0.1', () => resolve(c));
    c.on('error', reject);
  });
  try {
    const held = [await open(), await open()];
    const extra = await open();
    const closed = await new Promise<boolean>((resolve) => {
      extra.on('close', () => resolve(true));
      extra.write('GET /livez HTTP/1.1\r\nHost: x\r\n\r\n');
      setTimeout(() => resolve(false), 3000);
    });
    assert.ok(closed, 'the third connection is dropped');
    for (const c of held) c.destroy();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await request(s.url)).status, 200);
  } finally {
    await s.close();
  }
});

test('a client that never finishes its request is cut off (request timeout)', async () => {
  const s = await startHealthServer({ host: '127.0.0.1', port: 0, log: silentLogger, handlers: handlers(), requestTimeoutMs: 400 });
  try {
    const started = Date.now();
    const answer = await new Promise<string>((resolve) => {
      const c = net.connect(s.port, '127.0.0.1', () => c.write('GET /livez HTTP/1.1\r\nHost: x\r\n'));
      let got = '';
      c.on('data', (d: Buffer) => (got += d.toString()));
      c.on('close', () => resolve(got));
    });
    const took = Date.now() - started;
    assert.ok(took < 3000, `cut after ${took} ms`);
    assert.match(answer, /^HTTP\/1\.1 408/);
  } finally {
    await s.close();
  }
});

test('close: requests in flight finish, new connections are refused, idle keep-alive sockets do not hold it open', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const s = await startHealthServer({
    host: '127.0.0.1', port: 0, log: silentLogger,
    handlers: handlers({ readiness: async () => (await gate, report('healthy')) }),
  });
  const keepAlive = new http.Agent({ keepAlive: true });
  await new Promise<void>((resolve) => http.get(s.url + '/livez', { agent: keepAlive }, (res) => res.resume().on('end', resolve)));
  const inflight = request(s.url, 'GET', '/readyz');
  await new Promise((r) => setTimeout(r, 100));
  const closing = s.close(5000);
  await new Promise((r) => setTimeout(r, 50));
  await assert.rejects(request(s.url), /ECONNREFUSED/);
  release();
  const a = await inflight;
  assert.equal(a.status, 200);
  const started = Date.now();
  await closing;
  assert.ok(Date.now() - started < 2000);
  keepAlive.destroy();
});

test('listen addresses: loopback by default; anything else only with --allow-remote', () => {
  assert.deepEqual(parseListen('9464'), { host: '127.0.0.1', port: 9464 });
  assert.deepEqual(parseListen('0.0.0.0:9100'), { host: '0.0.0.0', port: 9100 });
  assert.deepEqual(parseListen('[::1]:9464'), { host: '::1', port: 9464 });
  assert.deepEqual(parseListen(':9464'), { host: '127.0.0.1', port: 9464 });
  assert.throws(() => parseListen('::1:9464'), UsageError);
  assert.throws(() => parseListen('host:99999'), UsageError);
  for (const h of ['127.0.0.1', '127.1.2.3', '::1', 'localhost', '::ffff:127.0.0.1']) assert.ok(isLoopback(h), h);
  for (const h of ['0.0.0.0', '::', '10.0.0.5', 'example.com', '128.0.0.1']) assert.ok(!isLoopback(h), h);
  assert.doesNotThrow(() => assertListenAllowed({ host: '127.0.0.1', port: 1 }, false));
  assert.throws(() => assertListenAllowed({ host: '0.0.0.0', port: 1 }, false), (e: unknown) => e instanceof UsageError && /--allow-remote/.test(e.hint ?? ''));
  assert.doesNotThrow(() => assertListenAllowed({ host: '0.0.0.0', port: 1 }, true));
});

test('durations: 90s, 45m, 26h, 7d, bare seconds; nonsense is a usage error', () => {
  assert.equal(parseDurationMs('90s', 'x'), 90_000);
  assert.equal(parseDurationMs('45m', 'x'), 2_700_000);
  assert.equal(parseDurationMs('26h', 'x'), 93_600_000);
  assert.equal(parseDurationMs('7d', 'x'), 604_800_000);
  assert.equal(parseDurationMs('120', 'x'), 120_000);
  for (const bad of ['', 'soon', '-5m', '0', '5 weeks']) assert.throws(() => parseDurationMs(bad, '--max-run-age'), UsageError, bad);
});
