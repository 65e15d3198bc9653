// The model cache under ${home}/models: staging folders, atomic install by rename, metadata JSON, listing.
//
// A fetch writes into a fresh staging folder beside the cache entries (same filesystem), fsyncs every
// file, writes the metadata last, and renames the folder into place. A crash or failed fetch can only
// leave a `.staging-*` folder, never a half-written entry; stale staging folders are swept on the next run.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { ModelInfo } from './options.js';
import { cacheDirName } from './registry.js';

export const MODEL_FILE = 'model.onnx';
export const TOKENIZER_FILE = 'tokenizer.json';
export const META_FILE = 'docproc-model.json';

const MetaSchema = z.object({
  name: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  sizeBytes: z.number().int().positive(),
  tokenizerSha256: z.string().optional(),
  dims: z.number().int().positive(),
  pooling: z.enum(['mean', 'cls']),
  maxTokens: z.number().int().positive(),
  source: z.string(),
  fetchedAt: z.string(),
  queryPrefix: z.string().optional(),
  passagePrefix: z.string().optional(),
});
export type CacheMeta = z.infer<typeof MetaSchema>;

export function modelsRoot(home: string): string {
  return join(home, 'models');
}

export function entryDir(home: string, name: string): string {
  return join(modelsRoot(home), cacheDirName(name));
}

function infoFromMeta(dir: string, m: CacheMeta): ModelInfo {
  return {
    name: m.name,
    sha256: m.sha256,
    ...(m.tokenizerSha256 ? { tokenizerSha256: m.tokenizerSha256 } : {}),
    sizeBytes: m.sizeBytes,
    dims: m.dims,
    pooling: m.pooling,
    maxTokens: m.maxTokens,
    source: m.source,
    path: dir,
    queryPrefix: m.queryPrefix,
    passagePrefix: m.passagePrefix,
    modelFile: join(dir, MODEL_FILE),
    tokenizerFile: join(dir, TOKENIZER_FILE),
  };
}

/** A cache entry if its metadata parses and the files are there with the recorded size; no rehash (see verifyCached). */
export function readCached(home: string, name: string): ModelInfo | undefined {
  return readEntryDir(entryDir(home, name));
}

function readEntryDir(dir: string): ModelInfo | undefined {
  try {
    const meta = MetaSchema.parse(JSON.parse(readFileSync(join(dir, META_FILE), 'utf8')));
    if (statSync(join(dir, MODEL_FILE)).size !== meta.sizeBytes) return undefined;
    if (!existsSync(join(dir, TOKENIZER_FILE))) return undefined;
    return infoFromMeta(dir, meta);
  } catch {
    return undefined;
  }
}

export function listCachedModels(home: string): ModelInfo[] {
  const root = modelsRoot(home);
  if (!existsSync(root)) return [];
  const out: ModelInfo[] = [];
  for (const d of readdirSync(root, { withFileTypes: true })) {
    if (!d.isDirectory() || d.name.startsWith('.')) continue;
    const info = readEntryDir(join(root, d.name));
    if (info) out.push(info);
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Full check of a cache entry: rehashes the model file. */
export async function verifyCached(info: ModelInfo): Promise<boolean> {
  return (await sha256File(join(info.path, MODEL_FILE))) === info.sha256;
}

export interface Staging {
  dir: string;
  modelPath: string;
  tokenizerPath: string;
  discard(): Promise<void>;
}

/** A fresh, empty staging folder for one fetch attempt. */
export async function createStaging(home: string, name: string): Promise<Staging> {
  const root = modelsRoot(home);
  await mkdir(root, { recursive: true });
  const dir = join(root, `.staging-${cacheDirName(name)}-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(dir);
  return {
    dir,
    modelPath: join(dir, MODEL_FILE),
    tokenizerPath: join(dir, TOKENIZER_FILE),
    discard: () => rm(dir, { recursive: true, force: true }),
  };
}

export async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Writes the metadata into the staging folder and renames it over the entry (old entry moved aside first). */
export async function commitStaging(home: string, st: Staging, meta: CacheMeta): Promise<ModelInfo> {
  const metaPath = join(st.dir, META_FILE);
  const fh = await open(metaPath, 'w');
  try {
    await fh.writeFile(JSON.stringify(MetaSchema.parse(meta), null, 2) + '\n');
    await fh.sync();
  } finally {
    await fh.close();
  }
  const dest = entryDir(home, meta.name);
  let old: string | undefined;
  if (existsSync(dest)) {
    old = join(modelsRoot(home), `.old-${cacheDirName(meta.name)}-${randomBytes(4).toString('hex')}`);
    await rename(dest, old);
  }
  await rename(st.dir, dest);
  await fsyncPath(modelsRoot(home)).catch(() => undefined); // directory fsync: best effort (not on every OS)
  if (old) await rm(old, { recursive: true, force: true });
  return infoFromMeta(dest, meta);
}

/** Removes staging/old folders left by crashed runs (older than an hour, so a concurrent fetch is not hit). */
export async function sweepStale(home: string): Promise<void> {
  const root = modelsRoot(home);
  if (!existsSync(root)) return;
  for (const name of readdirSync(root)) {
    if (!name.startsWith('.staging-') && !name.startsWith('.old-')) continue;
    const p = join(root, name);
    const st = await stat(p).catch(() => undefined);
    if (st && Date.now() - st.mtimeMs > 3_600_000) await rm(p, { recursive: true, force: true });
  }
}
