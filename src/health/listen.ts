// Where the health server listens: [host:]port, loopback unless a non-loopback address is asked for explicitly.
import net from 'node:net';
import { UsageError } from '../errors.js';

export const DEFAULT_HEALTH_HOST = '127.0.0.1';
export const DEFAULT_HEALTH_PORT = 9464;

export interface ListenAddress {
  host: string;
  port: number;
}

export function parsePort(raw: string | number, what = '--port'): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${what}: not a port number (0-65535): ${raw}`);
  return n;
}

/** "9464", "127.0.0.1:9464", "[::1]:9464", "0.0.0.0:9464". */
export function parseListen(spec: string, defaultHost = DEFAULT_HEALTH_HOST): ListenAddress {
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(spec);
  if (bracketed) return { host: bracketed[1]!, port: parsePort(bracketed[2]!, '--serve-health') };
  const i = spec.lastIndexOf(':');
  if (i < 0) return { host: defaultHost, port: parsePort(spec, '--serve-health') };
  const host = spec.slice(0, i);
  if (host.includes(':')) throw new UsageError(`--serve-health: write an IPv6 address in brackets, e.g. [::1]:9464: ${spec}`);
  return { host: host || defaultHost, port: parsePort(spec.slice(i + 1), '--serve-health') };
}

export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost') return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

/** Health answers name files and hosts: they leave the machine only when the user says so. */
export function assertListenAllowed(a: ListenAddress, allowRemote: boolean): void {
  if (isLoopback(a.host) || allowRemote) return;
  throw new UsageError(
    `refusing to serve health on ${a.host}, which is not a loopback address`,
    'pass --allow-remote to serve it beyond this machine (e.g. for Kubernetes probes), or use 127.0.0.1',
  );
}
