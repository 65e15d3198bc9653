// Resolves configuration once, at the edge: flags > DOCPROC_* env > config file > defaults.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { configSchema, type Config } from './schema.js';
import { UsageError } from '../errors.js';

type Raw = Record<string, unknown>;

/** DOCPROC_CHUNK_TOKENS -> chunkTokens, parsed by the key's schema type. */
export function readEnv(env: NodeJS.ProcessEnv): Raw {
  const out: Raw = {};
  for (const [key, schema] of Object.entries(configSchema.shape)) {
    const name = 'DOCPROC_' + key.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase();
    const value = env[name];
    if (value === undefined || value === '') continue;
    out[key] = coerce(value, schema as z.ZodType);
  }
  if (env['DOCPROC_HOME'] && out['home'] === undefined) out['home'] = env['DOCPROC_HOME'];
  return out;
}

function innerType(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  while (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
  return s;
}

function coerce(value: string, schema: z.ZodType): unknown {
  const inner = innerType(schema);
  if (inner instanceof z.ZodNumber) return Number(value);
  if (inner instanceof z.ZodBoolean) return ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());
  if (inner instanceof z.ZodArray) return value.split(',').map((v) => v.trim()).filter(Boolean);
  return value;
}

export function readConfigFile(file: string | undefined, cwd: string): Raw {
  const explicit = file !== undefined;
  const target = path.resolve(cwd, file ?? 'docproc.config.json');
  if (!fs.existsSync(target)) {
    if (explicit) throw new UsageError(`config file not found: ${target}`);
    return {};
  }
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(target, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as Raw;
  } catch (err) {
    throw new UsageError(`invalid config file ${target}: ${(err as Error).message}`);
  }
}

export interface LoadConfigInput {
  flags: Raw;
  env?: NodeJS.ProcessEnv;
  configFile?: string;
  cwd?: string;
}

export function loadConfig(input: LoadConfigInput): Config {
  const cwd = input.cwd ?? process.cwd();
  const fileRaw = readConfigFile(input.configFile, cwd);
  const unknown = Object.keys(fileRaw).filter((k) => !(k in configSchema.shape));
  if (unknown.length) throw new UsageError(`unknown config key${unknown.length > 1 ? 's' : ''} in config file: ${unknown.join(', ')}`);
  const merged: Raw = { ...fileRaw, ...readEnv(input.env ?? process.env), ...dropUndefined(input.flags) };
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = issue.path.join('.') || '(root)';
    throw new UsageError(`invalid configuration: ${key}: ${issue.message}`, `see \`docproc config\` for every key and its default`);
  }
  const cfg = result.data;
  if (cfg.chunkOverlap >= cfg.chunkTokens) {
    throw new UsageError(`invalid configuration: chunkOverlap: must be smaller than chunkTokens (${cfg.chunkOverlap} >= ${cfg.chunkTokens})`);
  }
  return cfg;
}

function dropUndefined(o: Raw): Raw {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** Keys the user set (flag, environment or config file), as opposed to defaults. */
export function explicitConfigKeys(input: LoadConfigInput): Set<string> {
  const fileRaw = readConfigFile(input.configFile, input.cwd ?? process.cwd());
  const merged: Raw = { ...fileRaw, ...readEnv(input.env ?? process.env), ...dropUndefined(input.flags) };
  return new Set(Object.keys(merged).filter((k) => k in configSchema.shape));
}
