// `docproc status`: what the index holds, the last runs and current failures.
import path from 'node:path';
import Table from 'cli-table3';
import { createContext, type GlobalFlags } from '../context.js';
import { writeJson, writeLine, displayPath, tableStyle } from '../output.js';
import { DocprocError } from '../../errors.js';
import type { IndexStore, IndexTransfer } from '../../contracts/index-store.js';
import { openConfiguredStore, storeExists } from '../../store/open-store.js';

interface StatusFlags extends GlobalFlags {
  failed?: boolean;
  runs: number;
}

export async function run(flags: StatusFlags): Promise<void> {
  const { config } = createContext(flags);
  if (!(await storeExists(config.db))) {
    throw new DocprocError(`no index at ${path.resolve(config.db)}`, { code: 'no-index', hint: 'create one with: docproc ingest <paths...>' });
  }
  const store = await openConfiguredStore(config, { readonly: true });
  try {
    const failures = (await store.documentsWithStatus(['failed', 'quarantined'])).map((d) => ({
      path: displayPath(d.path), status: d.status, reason: d.reason, attempts: d.attempts, updatedAt: d.updatedAt,
    }));
    if (flags.failed) {
      if (config.json) return writeJson(failures);
      if (!failures.length) return writeLine('no failed or quarantined files');
      const t = new Table({ head: ['status', 'path', 'attempts', 'reason'], style: tableStyle(), wordWrap: true, colWidths: [13, 40, 10, 50] });
      for (const f of failures) t.push([f.status, f.path, f.attempts, f.reason ?? '']);
      return writeLine(t.toString());
    }
    const stats = await store.stats();
    const identity = await store.identity();
    const runs = await store.runs.last(flags.runs);
    const sizeBytes = 'sizeBytes' in store ? await (store as IndexStore & IndexTransfer).sizeBytes() : 0;
    const workers = store.activeWorkers ? await store.activeWorkers() : undefined;
    const report = {
      documents: stats.documents,
      chunks: stats.chunks,
      vectors: stats.vectors,
      model: identity ?? null,
      // A URL is shown without its password; a file path absolute.
      database: { kind: store.kind, path: store.kind === 'sqlite' ? path.resolve(store.location) : store.location, sizeBytes },
      ...(workers ? { workers } : {}),
      lastRun: runs[0] ?? null,
      runs,
      failures,
    };
    if (config.json) return writeJson(report);
    writeLine(`index     ${report.database.path} (${(sizeBytes / 1048576).toFixed(1)} MB)`);
    if (workers) {
      writeLine(`workers   ${workers.length ? '' : 'none active'}`);
      if (workers.length) {
        const t = new Table({ head: ['host', 'pid', 'command', 'since', 'last heartbeat', 'leases'], style: tableStyle() });
        for (const w of workers) t.push([w.host, w.pid, w.command, w.startedAt, w.heartbeatAt, w.leases]);
        writeLine(t.toString());
      }
    }
    writeLine(`model     ${identity ? `${identity.modelName} (${identity.dims} dims, sha256 ${identity.modelSha256.slice(0, 12)}), chunks ${identity.chunkTokens}/${identity.chunkOverlap} tokens` : 'none yet'}`);
    writeLine(`documents ${Object.entries(stats.documents).map(([k, v]) => `${v} ${k}`).join(', ') || 'none'}`);
    writeLine(`chunks    ${stats.chunks}`);
    if (runs.length) {
      const t = new Table({ head: ['run', 'command', 'started', 'outcome', 'duration', 'counts'], style: tableStyle() });
      for (const r of runs) {
        const counts = Object.entries(r.counts).filter(([, v]) => v > 0).map(([k, v]) => `${v} ${k}`).join(', ');
        t.push([r.id, r.command, r.startedAt, r.outcome ?? 'running/killed', r.durationMs !== null ? `${(r.durationMs / 1000).toFixed(1)}s` : '', counts]);
      }
      writeLine(t.toString());
    }
    if (failures.length) writeLine(`${failures.length} failed or quarantined file(s): docproc status --failed`);
  } finally {
    await store.close();
  }
}
