// Resolves configuration once, at the edge: flags > DOCPROC_* env > config file > defaults.
import fs from 'node:fs';
import path from 'node:path';
import { configSchema, type Config } from './schema.js';
import { readEnv } from './env.js';
import { UsageError } from '../errors.js';

export { readEnv, unknownEnvWarnings, configEnvNames, type EnvWarning } from './env.js';

type Raw = Record<string, unknown>;

/**
 * Keys holding a file or folder path. A relative one in a config file means "next to this file", so a
 * project's docproc.config.json works from any working directory; flags and environment stay relative to cwd.
 */
export const PATH_KEYS = ['db', 'home', 'logFile', 'modelDir', 'localModelsDir', 'backupDir', 'ocrDataDir'] as const;

/** The config file's values, with relative paths (PATH_KEYS) resolved against the file's folder. */
export function readConfigFile(file: string | undefined, cwd: string): Raw {
  const explicit = file !== undefined;
  const target = path.resolve(cwd, file ?? 'docproc.config.json');
  if (!fs.existsSync(target)) {
    if (explicit) throw new UsageError(`config file not found: ${target}`);
    return {};
  }
  let raw: Raw;
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(target, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    raw = parsed as Raw;
  } catch (err) {
    throw new UsageError(`invalid config file ${target}: ${(err as Error).message}`);
  }
  return resolvePaths(raw, path.dirname(target));
}

function resolvePaths(raw: Raw, dir: string): Raw {
  const out: Raw = { ...raw };
  for (const key of PATH_KEYS) {
    const v = out[key];
    // A URL (db: postgres://…) is not a path.
    if (typeof v === 'string' && v !== '' && !path.isAbsolute(v) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) out[key] = path.resolve(dir, v);
  }
  return out;
}

export interface LoadConfigInput {
  flags: Raw;
  env?: NodeJS.ProcessEnv;
  configFile?: string;
  cwd?: string;
}

/** The resolved config. Reads the config file but writes nothing and logs nothing (see unknownEnvWarnings). */
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
