// Postgres URLs: printing them without the password, and turning one into node-postgres settings with libpq's sslmode.
import fs from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { UsageError } from '../../errors.js';

/**
 * The URL fit to print: `postgres://user:***@host:port/db`, and `password=***` in the query.
 *
 * Deliberately string-based and over-eager: a password with unencoded `@`, `/`, `?` or `#` breaks URL parsers
 * (the driver's included), and each of them would then misplace the password in the host, path or fragment.
 * Everything between the first `:` of the user part and the LAST `@` is treated as the password, so a
 * password is never shown; the price is that an `@` inside a query value hides a little more than needed.
 */
export function redactUrl(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)(.*)$/is.exec(url);
  let out = url;
  if (m) {
    const rest = m[2]!;
    const at = rest.lastIndexOf('@');
    const colon = rest.indexOf(':');
    if (at >= 0 && colon >= 0 && colon < at) out = `${m[1]}${rest.slice(0, colon)}:***${rest.slice(at)}`;
  }
  return out.replace(/([?&]password=)[^&]*/gi, '$1***');
}

/** Replaces every occurrence of a secret (raw and percent-decoded) in driver text: messages never echo a password. */
export function scrubSecrets(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 2) out = out.split(s).join('***');
  return out;
}

/** libpq's sslmode, as node-postgres settings. `prefer` (libpq's default) tries TLS first, then plain. */
export type SslChoice = false | ConnectionOptions | 'prefer';

export interface PgConnection {
  /** The URL without the TLS parameters, which `ssl` carries instead. */
  connectionString: string;
  ssl: SslChoice;
  /** Redacted, for messages. */
  location: string;
  /** The database the URL names (or PGDATABASE), for hints. */
  database: string;
  /** Server options the user gave (URL `options`, else PGOPTIONS): docproc adds its own to them. */
  options: string;
  /** Everything that could be a password: scrubbed from any driver message. */
  secrets: string[];
}

// Carried outside the URL: node-postgres would let the URL's values override the ones docproc sets.
const OWN_PARAMS = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'ssl', 'uselibpqcompat', 'options'];

/**
 * Parses a postgres:// or postgresql:// URL. node-postgres reads PGHOST, PGPORT, PGUSER, PGPASSWORD and
 * PGDATABASE itself for what the URL leaves out, but gives `sslmode=require` verify-full semantics and reads
 * PGSSLMODE=prefer as "require TLS": so sslmode (URL, else PGSSLMODE, else libpq's `prefer`) is resolved
 * here with libpq's meaning. `env` is libpq's own environment, read where libpq would read it.
 */
export function parsePgUrl(url: string, env: NodeJS.ProcessEnv): PgConnection {
  const location = redactUrl(url);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`invalid Postgres URL ${location}`, 'percent-encode special characters in the user name and password (@ as %40, / as %2F, # as %23)');
  }
  // An unencoded '#' starts a fragment: part of the password would become the port or vanish.
  if (u.hash) throw new UsageError(`invalid Postgres URL ${location}: '#' must be percent-encoded (%23)`);
  const param = (k: string): string | undefined => u.searchParams.get(k) ?? undefined;
  const ssl = sslFor(param('sslmode') ?? legacySsl(param('ssl')) ?? env['PGSSLMODE'] ?? 'prefer', {
    rootcert: param('sslrootcert') ?? env['PGSSLROOTCERT'], cert: param('sslcert') ?? env['PGSSLCERT'], key: param('sslkey') ?? env['PGSSLKEY'],
  });
  const secrets = [u.password, safeDecode(u.password), param('password') ?? '', env['PGPASSWORD'] ?? ''].filter(Boolean);
  const options = param('options') ?? env['PGOPTIONS'] ?? '';
  if (OWN_PARAMS.some((k) => u.searchParams.has(k))) for (const k of OWN_PARAMS) u.searchParams.delete(k);
  const database = safeDecode(u.pathname.slice(1)) || env['PGDATABASE'] || safeDecode(u.username) || env['PGUSER'] || '';
  return { connectionString: u.toString(), ssl, location, database, options, secrets: [...new Set(secrets)] };
}

/** node-postgres' own `ssl=true|1|false|0`, when no sslmode says otherwise. */
function legacySsl(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  return v === 'true' || v === '1' ? 'verify-full' : 'disable';
}

function sslFor(mode: string, files: { rootcert?: string; cert?: string; key?: string }): SslChoice {
  const read = (f: string | undefined): string | undefined => (f && fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined);
  const tls: ConnectionOptions = {};
  const cert = read(files.cert);
  const key = read(files.key);
  if (cert) tls.cert = cert;
  if (key) tls.key = key;
  const ca = read(files.rootcert);
  switch (mode) {
    case 'disable':
      return false;
    case 'allow':
    case 'prefer':
      return 'prefer';
    case 'require':
      // libpq: require with a root certificate present verifies the chain, like verify-ca.
      return ca ? { ...tls, ca, checkServerIdentity: () => undefined } : { ...tls, rejectUnauthorized: false };
    case 'verify-ca':
      return { ...tls, ...(ca ? { ca } : {}), checkServerIdentity: () => undefined };
    case 'verify-full':
      return { ...tls, ...(ca ? { ca } : {}) };
    default:
      throw new UsageError(`invalid sslmode "${mode}"`, 'use disable, allow, prefer, require, verify-ca or verify-full');
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
