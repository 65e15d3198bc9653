// The health HTTP server: GET/HEAD /livez, /readyz, /metrics; security headers on every answer; request
// timeouts, a cap on concurrent connections and a graceful close.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';
import type { ReadinessReport } from './types.js';

export interface HealthHandlers {
  readiness(): Promise<ReadinessReport>;
  metrics(): Promise<{ contentType: string; body: string }>;
}

export interface HealthServerOptions {
  host: string;
  port: number;
  handlers: HealthHandlers;
  log: Logger;
  /** Sockets beyond this are closed on arrival: a flood of probes cannot exhaust the process. */
  maxConnections?: number;
  /** A client must send its whole request within this long (slow-loris). */
  requestTimeoutMs?: number;
  /** Idle keep-alive connections are closed after this long. */
  keepAliveTimeoutMs?: number;
}

export interface HealthServer {
  url: string;
  port: number;
  /** Stops accepting, lets requests in flight finish for up to graceMs, then cuts the rest. */
  close(graceMs?: number): Promise<void>;
}

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

const PATHS = ['/livez', '/readyz', '/metrics'];

function send(res: http.ServerResponse, status: number, contentType: string, body: string, extra: Record<string, string> = {}): void {
  // HEAD: Node sends the same status and headers and drops the body.
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), ...extra });
  res.end(body);
}

const json = (v: unknown): string => JSON.stringify(v) + '\n';
const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT_TYPE = 'text/plain; charset=utf-8';

async function route(req: http.IncomingMessage, res: http.ServerResponse, h: HealthHandlers): Promise<void> {
  const pathname = new URL(req.url ?? '/', 'http://health.invalid').pathname;
  if (!PATHS.includes(pathname)) return send(res, 404, JSON_TYPE, json({ error: 'not found', paths: PATHS }));
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, JSON_TYPE, json({ error: 'method not allowed' }), { Allow: 'GET, HEAD' });
  if (pathname === '/livez') return send(res, 200, JSON_TYPE, json({ status: 'ok' }));
  if (pathname === '/readyz') {
    const report = await h.readiness();
    return send(res, report.status === 'unhealthy' ? 503 : 200, JSON_TYPE, json(report));
  }
  const m = await h.metrics();
  return send(res, 200, m.contentType, m.body);
}

export function startHealthServer(o: HealthServerOptions): Promise<HealthServer> {
  // Node enforces requestTimeout only when it checks its connections, every 30 s by default.
  const checkEveryMs = Math.max(100, Math.min(1_000, Math.floor((o.requestTimeoutMs ?? 10_000) / 2)));
  const server = http.createServer({ connectionsCheckingInterval: checkEveryMs }, (req, res) => {
    route(req, res, o.handlers).catch((err: unknown) => {
      o.log.error({ err: (err as Error).message, url: req.url }, 'health request failed');
      if (!res.headersSent) send(res, 500, JSON_TYPE, json({ error: 'internal error' }));
      else res.destroy();
    });
  });
  server.maxConnections = o.maxConnections ?? 32;
  server.requestTimeout = o.requestTimeoutMs ?? 10_000;
  server.headersTimeout = Math.min(server.requestTimeout, 5_000);
  server.keepAliveTimeout = o.keepAliveTimeoutMs ?? 5_000;
  // A client that stops reading mid-answer is dropped too.
  server.setTimeout(30_000, (socket) => socket.destroy());
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      server.on('error', (err) => o.log.error({ err: err.message }, 'health server error'));
      const addr = server.address() as AddressInfo;
      const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      resolve({ url: `http://${host}:${addr.port}`, port: addr.port, close: (graceMs = 5_000) => closeGracefully(server, graceMs) });
    });
  });
}

function closeGracefully(server: http.Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const cut = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearTimeout(cut);
      resolve();
    });
    // Idle keep-alive sockets would otherwise hold close() open until they time out.
    server.closeIdleConnections();
  });
}
