// Reads config keys from DOCPROC_* environment variables; errors and warnings name the variable, not the key.
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { configSchema } from './schema.js';
import { envNameFor, NON_CONFIG_ENV_VARS } from './env-names.js';

type Raw = Record<string, unknown>;

const TRUE_WORDS = ['1', 'true', 'yes', 'on'];
const FALSE_WORDS = ['0', 'false', 'no', 'off'];

/** Every config key with its environment variable, in schema order. */
export function configEnvNames(): { key: string; env: string }[] {
  return Object.keys(configSchema.shape).map((key) => ({ key, env: envNameFor(key) }));
}

/** The config keys set in `env`, each parsed and checked by its schema type; a bad value is a UsageError naming the variable. */
export function readEnv(env: NodeJS.ProcessEnv): Raw {
  const out: Raw = {};
  for (const [key, schema] of Object.entries(configSchema.shape) as [string, z.ZodType][]) {
    const name = envNameFor(key);
    const value = env[name];
    if (value === undefined || value === '') continue;
    const coerced = coerce(name, key, value, schema);
    const checked = schema.safeParse(coerced);
    if (!checked.success) throw invalid(name, key, value, checked.error.issues[0]?.message ?? 'invalid value');
    out[key] = coerced;
  }
  return out;
}

function invalid(name: string, key: string, value: string, why: string): UsageError {
  return new UsageError(
    `invalid configuration: ${name}=${JSON.stringify(value)} (${key}): ${why}`,
    'see `docproc config` for every key, its environment variable and its default',
  );
}

function innerType(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  while (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
  return s;
}

function coerce(name: string, key: string, value: string, schema: z.ZodType): unknown {
  const inner = innerType(schema);
  if (inner instanceof z.ZodNumber) {
    const n = Number(value.trim());
    if (value.trim() === '' || !Number.isFinite(n)) throw invalid(name, key, value, 'expected a number');
    return n;
  }
  if (inner instanceof z.ZodBoolean) {
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.includes(word)) return true;
    if (FALSE_WORDS.includes(word)) return false;
    throw invalid(name, key, value, `expected a boolean: one of ${[...TRUE_WORDS, ...FALSE_WORDS].join(', ')}`);
  }
  if (inner instanceof z.ZodArray) return value.split(',').map((v) => v.trim()).filter(Boolean);
  return value;
}

export interface EnvWarning {
  variable: string;
  /** The known variable nearest by edit distance. */
  suggestion: string;
  message: string;
}

/** DOCPROC_* variables docproc does not read (a typo, or a name from an old version), each with the closest known name. */
export function unknownEnvWarnings(env: NodeJS.ProcessEnv): EnvWarning[] {
  const known = [...configEnvNames().map((k) => k.env), ...NON_CONFIG_ENV_VARS];
  const out: EnvWarning[] = [];
  for (const variable of Object.keys(env).sort()) {
    if (!variable.startsWith('DOCPROC_') || known.includes(variable)) continue;
    const suggestion = closest(variable, known);
    out.push({ variable, suggestion, message: `unknown environment variable ${variable} is ignored; did you mean ${suggestion}?` });
  }
  return out;
}

function closest(name: string, candidates: readonly string[]): string {
  let best = candidates[0] ?? '';
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = levenshtein(name, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

export function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = cur;
  }
  return prev[b.length]!;
}
