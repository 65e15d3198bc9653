// The library entry: `import { ingest, search } from 'docproc'`.
import type { Config } from './config/schema.js';
import { configSchema } from './config/schema.js';
import { loadConfig } from './config/load.js';
import { silentLogger, type Logger } from './log.js';
import { SqliteStore } from './store/sqlite/store.js';
import { openStore, openConfiguredStore } from './store/open-store.js';
import { openEmbedder } from './pipeline/resources.js';
import type { Embedder } from './contracts/stages.js';
import type { SearchHit, SearchQuery } from './search/types.js';

export { ingest, type IngestOptions } from './pipeline/ingest.js';
export type { IngestEvent, IngestSummary, FileEvent } from './pipeline/events.js';
export { watch, type WatchOptions } from './pipeline/watch.js';
export { configSchema, loadConfig, type Config };
export { SqliteStore, openStore };
export type { IndexStore, IndexView, DocumentRow, Root } from './contracts/index-store.js';
export { Chunker } from './chunk/chunker.js';
export { extractFile, detectType, defaultExtractOptions, type ExtractOptions } from './extract/index.js';
export { loadEmbedder, pullModel, resolveModel, listKnownModels } from './embed/index.js';
export { searchIndex } from './search/index.js';
export type { SearchHit, SearchQuery, SearchMode, GroupBy } from './search/types.js';
export type { Embedder, Chunk, Loc, ExtractedDoc, FileStatus } from './contracts/stages.js';
export { DocprocError, UsageError, ModelError, IndexMismatchError, LockedError, FileError, ExitCode } from './errors.js';

/** A config from defaults plus the given keys (no flags, no environment, no config file). */
export function defineConfig(partial: Partial<Config> = {}): Config {
  return configSchema.parse(partial);
}

export interface SearchOptions extends Partial<SearchQuery> {
  text: string;
  config?: Config;
  log?: Logger;
  embedder?: Embedder;
}

/** Searches the index at config.db; loads the configured model unless the mode is keyword-only. */
export async function search(o: SearchOptions): Promise<SearchHit[]> {
  const config = o.config ?? defineConfig();
  const log = o.log ?? silentLogger;
  const { searchIndex } = await import('./search/index.js');
  const store = await openConfiguredStore(config, { readonly: true });
  const mode = o.mode ?? 'hybrid';
  // A model we open loads while the keyword half of the search runs.
  const opened = mode === 'keyword' || o.embedder ? null : openEmbedder(config, log);
  opened?.catch(() => undefined);
  try {
    return await searchIndex(store, mode === 'keyword' ? null : (o.embedder ?? opened), { ...o, text: o.text, limit: o.limit ?? 10, mode, groupBy: o.groupBy ?? 'document' });
  } finally {
    await (await opened?.catch(() => null))?.close();
    await store.close();
  }
}
