// --reembed: rebuild the whole index in a shadow the store provides, then swap it in atomically; searches use the
// old index meanwhile. Every root the index was built from is rebuilt, so none can vanish at the swap.
import fs from 'node:fs';
import path from 'node:path';
import type { IndexStore } from '../contracts/index-store.js';
import { openConfiguredStore } from '../store/open-store.js';
import { DocprocError, ExitCode, UsageError } from '../errors.js';
import { ingest, type IngestOptions } from './ingest.js';
import type { IngestSummary } from './events.js';

export async function reembed(o: IngestOptions): Promise<IngestSummary> {
  const live = await openConfiguredStore(o.config, { onWarning: (m) => o.log?.warn(m) });
  try {
    const writer = await live.acquireWriter('ingest --reembed', { waitSeconds: o.waitSeconds, signal: o.signal });
    try {
      const roots = await rootsToRebuild(live, o);
      const rebuild = await live.beginRebuild();
      try {
        const summary = await ingest({ ...o, paths: roots, store: rebuild.store, writer, command: 'ingest --reembed', excludeFiles: live.ownFiles });
        if (summary.interrupted) {
          await rebuild.discard();
          return summary;
        }
        if (!o.allowEmptyRoot) await refuseLostRoots(live, rebuild.store, roots);
        await rebuild.commit();
        return summary;
      } catch (err) {
        await rebuild.discard();
        throw err;
      }
    } finally {
      await writer.release();
    }
  } finally {
    await live.close();
  }
}

/**
 * Every root the index was built from, plus any newly named: a re-embed rebuilds the whole index, so a root left
 * out would vanish at the swap. A named file stays a file root (never its whole folder).
 */
async function rootsToRebuild(live: IndexStore, o: IngestOptions): Promise<string[]> {
  const roots = (await live.roots()).map((r) => r.path);
  for (const p of o.paths.map((x) => path.resolve(x))) if (!roots.includes(p)) roots.push(p);
  if (!roots.length) throw new UsageError('nothing to re-embed: the index has no roots', 'usage: docproc ingest --reembed <paths...>');
  const missing = roots.filter((r) => !fs.existsSync(r));
  if (missing.length && !o.allowEmptyRoot) {
    throw new DocprocError(`cannot re-embed: root${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing (unmounted?); the index is unchanged`, {
      code: 'root-missing',
      exitCode: ExitCode.someFailed,
      hint: 'mount it and run again, or pass --allow-empty-root to drop its documents from the rebuilt index',
    });
  }
  return roots.filter((r) => fs.existsSync(r));
}

/** A root that held documents but came back empty (an unmounted share) must not empty the index at the swap. */
async function refuseLostRoots(before: IndexStore, after: IndexStore, roots: string[]): Promise<void> {
  const lost: string[] = [];
  for (const r of roots) if ((await before.documentsUnder(r)).length > 0 && (await after.documentsUnder(r)).length === 0) lost.push(r);
  if (lost.length) {
    throw new DocprocError(`root-empty: ${lost.join(', ')} yielded no files but the index holds documents under it (an unmounted share?); the index is unchanged`, {
      code: 'root-empty',
      exitCode: ExitCode.someFailed,
      hint: 'mount it and run again, or pass --allow-empty-root if it really is empty now',
    });
  }
}
