// `docproc search <query>`: flags -> SearchQuery -> searchIndex -> table or JSON.
import { createContext, type GlobalFlags } from '../context.js';
import { writeJson, writeLine } from '../output.js';
import { renderSearchTable, toSearchJson } from '../render-search.js';
import { DocprocError, UsageError } from '../../errors.js';
import { openConfiguredStore, storeExists } from '../../store/open-store.js';
import { searchIndex, type GroupBy, type SearchMode, type SearchQuery } from '../../search/index.js';
import type { IndexStore } from '../../contracts/index-store.js';
import type { Config } from '../../config/schema.js';
import type { LoadedEmbedder } from '../../embed/index.js';
import { downloadProgress } from '../download-progress.js';

export interface SearchFlags extends GlobalFlags {
  limit?: number;
  mode?: SearchMode;
  path?: string[];
  type?: string;
  since?: string;
  minScore?: number;
  groupBy?: GroupBy;
  explain?: boolean;
  [key: string]: unknown;
}

export function parseSince(value: string): Date {
  // A bare date means local midnight, which is what someone typing `--since 2024-05-01` expects.
  const d = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00`) : new Date(value);
  if (Number.isNaN(d.getTime())) throw new UsageError(`--since: not a date: ${value}`, 'use an ISO date such as 2024-05-01 or 2024-05-01T12:00:00Z');
  return d;
}

export function toSearchQuery(query: string, flags: SearchFlags): SearchQuery {
  const types = flags.type?.split(',').map((t) => t.trim()).filter(Boolean);
  return {
    text: query,
    limit: flags.limit ?? 10,
    mode: flags.mode ?? 'hybrid',
    // One grouping for table and JSON alike: the output format must not change which results come back.
    // Scripts that want every passage (RAG) ask for --group-by chunk.
    groupBy: flags.groupBy ?? 'document',
    ...(flags.path?.length ? { paths: flags.path } : {}),
    ...(types?.length ? { types } : {}),
    ...(flags.since !== undefined ? { since: parseSince(flags.since) } : {}),
    ...(flags.minScore !== undefined ? { minScore: flags.minScore } : {}),
    ...(flags.explain ? { explain: true } : {}),
  };
}

export async function run(query: string, flags: SearchFlags): Promise<void> {
  const q = toSearchQuery(query, flags);
  if (!q.text.trim()) throw new UsageError('empty query', 'pass what to look for, e.g. docproc search "error budget"');
  const context = createContext(flags, flags);
  const { log, explicit } = context;
  // One query needs one intra-op thread (the vector is the same with more); a second would spin beside the scan.
  const config = { ...context.config, threads: context.config.threads ?? 1 };
  if (!(await storeExists(config.db))) {
    throw new DocprocError(`no index at ${config.db}`, { code: 'no-index', hint: 'nothing indexed yet: run docproc ingest <paths>' });
  }
  // Keyword search never loads the model: it works offline and starts instantly. Otherwise the configured model
  // starts loading before the index is even open, if it is cached (nothing is downloaded on a guess).
  const resources = q.mode === 'keyword' ? null : await import('../../pipeline/resources.js');
  const early = resources?.startEmbedder({ ...config, modelSources: [] }, log) ?? null;
  early?.then((s) => s.ready).catch(() => undefined);
  let store: IndexStore | undefined;
  let used: Started | null = null;
  try {
    // Read-only: a search never writes, never creates WAL files of its own, and refuses a foreign database.
    store = await openConfiguredStore(config, { readonly: true, onWarning: (m) => log.warn(m) });
    if (resources && early) {
      used = await queryEmbedder(store, config, explicit, early, (c) => {
        const download = c.json || c.quiet ? undefined : downloadProgress();
        return resources.startEmbedder(c, log, download?.onProgress).finally(() => download?.done());
      });
    }
    const hits = await searchIndex(store, used?.ready ?? null, q, { onWarning: (m) => log.warn(m) });
    log.debug({ query: q.text, mode: q.mode, hits: hits.length }, 'search done');
    if (config.json) writeJson(toSearchJson(hits, { explain: q.explain }));
    else if (!hits.length) {
      if (!config.quiet) process.stderr.write('no results\n');
    }
    else writeLine(renderSearchTable(hits, { explain: q.explain, color: !!process.stdout.isTTY, width: process.stdout.columns }));
  } finally {
    // The embedder used and the early one, if that was dropped: each closed once, loaded or not.
    const started = new Set([used, await early?.catch(() => null)]);
    await Promise.all([...started].map((s) => s?.ready.then((e) => e.close(), () => undefined)));
    await store?.close();
  }
}

type Started = { ready: Promise<LoadedEmbedder> };

/**
 * The model a query is embedded with. An index can only be searched with the model that built it: a model the user
 * set (flag, DOCPROC_MODEL, config file) is used as said, and a mismatch is an error in searchIndex; otherwise the
 * index's model is followed, and the configured one started early is not used (the caller closes it).
 */
async function queryEmbedder(store: IndexStore, config: Config, explicit: Set<string>, early: Promise<Started>,
  start: (c: Config) => Promise<Started>): Promise<Started> {
  const built = (await store.identity())?.modelName;
  const follow = built !== undefined && !explicit.has('model') && !explicit.has('modelDir') && built !== config.model;
  const guess = await early.catch(() => null);
  if (guess && !follow) return guess;
  const started = await start(follow ? { ...config, model: built } : config);
  started.ready.catch(() => undefined);
  return started;
}
