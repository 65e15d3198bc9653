// Builds what every command needs from its flags: resolved config and a logger.
import { loadConfig, explicitConfigKeys, unknownEnvWarnings } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { createLogger, type Logger } from '../log.js';

export interface GlobalFlags {
  db?: string;
  config?: string;
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  logFile?: string;
  pgSchema?: string;
  /** --path-alias, repeatable: the config key pathAliases. */
  pathAlias?: string[];
}

export interface Context {
  config: Config;
  log: Logger;
  /** Config keys the user set; the rest are defaults that an existing index may override. */
  explicit: Set<string>;
}

export function createContext(globals: GlobalFlags, commandFlags: Record<string, unknown> = {}): Context {
  const { config: configFile, pathAlias, ...rest } = globals;
  const input = { flags: { ...rest, pathAliases: pathAlias, ...commandFlags }, configFile, env: process.env };
  const config = loadConfig(input);
  const level = config.quiet ? 'error' : config.verbose ? 'debug' : 'warn';
  const log = createLogger({ level: config.logFile && !config.quiet ? (config.verbose ? 'debug' : 'info') : level, file: config.logFile });
  for (const w of unknownEnvWarnings(input.env)) log.warn({ variable: w.variable, suggestion: w.suggestion }, w.message);
  return { config, log, explicit: explicitConfigKeys(input) };
}
