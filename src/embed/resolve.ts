// resolveModel/pullModel: cache hit, else the sources in order, else a ModelError that says how to provide the model.
import { statSync } from 'node:fs';
import { ModelError, UsageError } from '../errors.js';
import { commitStaging, createStaging, entryDir, readCached, sha256File, sweepStale, verifyCached } from './cache.js';
import { SourceFailure } from './http.js';
import { loadModelDir } from './model-dir.js';
import type { ModelInfo, ModelOptions } from './options.js';
import { findModel, listKnownModels, sourcesFor, type RegistryEntry } from './registry.js';
import { attemptsFor, mavenHelp } from './sources.js';

function entryOrThrow(name: string): RegistryEntry {
  const e = findModel(name);
  if (!e) {
    const known = listKnownModels().map((m) => m.name).join(', ');
    throw new UsageError(`unknown model "${name}"`, `Known models: ${known}. Or pass --model-dir <dir> for a local ONNX export.`);
  }
  return e;
}

/** A cache entry counts only if it is the pinned file: a different file under the same name is another model. */
function usableCache(entry: RegistryEntry, opts: ModelOptions): ModelInfo | undefined {
  const c = readCached(opts.home, entry.name);
  if (!c) return undefined;
  if (entry.sha256 && c.sha256 !== entry.sha256) {
    opts.log.warn({ model: entry.name, cached: c.sha256, pinned: entry.sha256 }, 'cached model is not the pinned file; refetching');
    return undefined;
  }
  return c;
}

export async function resolveModel(opts: ModelOptions): Promise<ModelInfo> {
  if (opts.modelDir) return loadModelDir(opts);
  const entry = entryOrThrow(opts.model);
  return usableCache(entry, opts) ?? fetchModel(entry, opts);
}

/** Like resolveModel, but rehashes a cached file and refetches it if it is damaged. */
export async function pullModel(opts: ModelOptions): Promise<ModelInfo> {
  if (opts.modelDir) return loadModelDir(opts);
  const entry = entryOrThrow(opts.model);
  const cached = usableCache(entry, opts);
  if (cached && (await verifyCached(cached))) {
    opts.log.info({ model: entry.name, path: cached.path }, 'model already cached and verified');
    return cached;
  }
  return fetchModel(entry, opts);
}

function reason(err: unknown): string {
  if (err instanceof SourceFailure) return err.message;
  const e = err as { code?: string; message?: string };
  return e?.code ? `${e.code}: ${e.message ?? ''}` : String(e?.message ?? err);
}

export async function fetchModel(entry: RegistryEntry, opts: ModelOptions): Promise<ModelInfo> {
  await sweepStale(opts.home).catch(() => undefined);
  const tried: string[] = [];
  for (const attempt of attemptsFor(entry, opts)) {
    const st = await createStaging(opts.home, entry.name);
    try {
      opts.log.debug({ model: entry.name, source: attempt.label }, 'fetching model');
      const { source } = await attempt.run(st);
      const sha256 = await sha256File(st.modelPath);
      if (entry.sha256 && sha256 !== entry.sha256) {
        throw new SourceFailure(`model sha256 mismatch: expected ${entry.sha256}, got ${sha256}`);
      }
      const tokenizerSha256 = await sha256File(st.tokenizerPath);
      if (entry.tokenizerSha256 && tokenizerSha256 !== entry.tokenizerSha256) {
        throw new SourceFailure(`tokenizer sha256 mismatch: expected ${entry.tokenizerSha256}, got ${tokenizerSha256}`);
      }
      const info = await commitStaging(opts.home, st, {
        name: entry.name,
        sha256,
        sizeBytes: statSync(st.modelPath).size,
        tokenizerSha256,
        dims: entry.dims,
        pooling: entry.pooling,
        maxTokens: entry.maxTokens,
        source,
        fetchedAt: new Date().toISOString(),
        queryPrefix: entry.queryPrefix,
        passagePrefix: entry.passagePrefix,
      });
      opts.log.info({ model: entry.name, source, sha256 }, 'model fetched');
      return info;
    } catch (err) {
      await st.discard();
      const why = reason(err);
      tried.push(`${attempt.label}: ${why}`);
      opts.log.info({ model: entry.name, source: attempt.label, reason: why }, 'model source failed; trying the next');
    }
  }
  throw new ModelError(notFoundMessage(entry, opts, tried), 'See the ways to provide the model listed above.');
}

export function notFoundMessage(entry: RegistryEntry, opts: ModelOptions, tried: string[]): string {
  const lines = [
    `Model "${entry.name}" is not in the cache (${entryDir(opts.home, entry.name)}) and no source could provide it.`,
    `Sources tried (${opts.sources.join(', ')}):`,
    ...tried.map((t) => `  - ${t}`),
    ...opts.sources.filter((s) => !sourcesFor(entry, [s]).length).map((s) => `  - ${s}: not a source of this model`),
    'To provide it, do one of:',
    `  - with network access: docproc models pull ${entry.name}   (then copy ${entryDir(opts.home, entry.name)} to this machine if needed)`,
    ...mavenHelp(entry).map((h) => `  - ${h}`),
    ...(entry.hf ? [`  - download ${entry.hf.modelFile} and ${entry.hf.tokenizerFile} from ${opts.hfEndpoint}/${entry.hf.repo} into <dir>/${entry.name}/ and set localModelsDir: <dir> in the docproc config`] : []),
    '  - use a local sentence-transformers ONNX export: --model-dir <dir>   (model .onnx + tokenizer.json)',
    ...twinsOf(entry).map((t) => `  - or use the same model from another source: --model ${t.name}   (${[t.hf ? 'Hugging Face hub' : '', t.maven ? 'Maven' : ''].filter(Boolean).join(', ')}${t.sha256 && t.sha256 === entry.sha256 ? '; the same file, so the same index' : '; a different file, so a different index'})`),
  ];
  return lines.join('\n');
}

/** Registry entries of the same model published as other files (e.g. the hub's export of a Maven model). */
function twinsOf(entry: RegistryEntry): RegistryEntry[] {
  const base = (n: string): string => n.split('/').pop()!;
  return listKnownModels().filter((e) => e.name !== entry.name && base(e.name) === base(entry.name));
}
