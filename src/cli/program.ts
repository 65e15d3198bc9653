// The commander program: global flags, every command's flags, and a lazy import of each command.
import { Command, InvalidArgumentError, Option } from 'commander';
import type { GlobalFlags } from './context.js';

const int = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('not an integer');
  return n;
};
const num = (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new InvalidArgumentError('not a number');
  return n;
};
const ratio = (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('not a number from 0 to 1');
  return n;
};
const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

type Action = (...args: unknown[]) => Promise<void>;
/** Commands are imported only when run: `docproc --help` never loads ONNX or pdfjs. */
function lazy(load: (opts: GlobalFlags & Record<string, unknown>) => Promise<{ run: (...a: never[]) => Promise<void> }>): Action {
  return async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const opts = cmd.optsWithGlobals() as GlobalFlags & Record<string, unknown>;
    const mod = await load(opts);
    const positional = args.slice(0, -2);
    await (mod.run as (...a: unknown[]) => Promise<void>)(...positional, opts);
  };
}

function modelOptions(cmd: Command): Command {
  return cmd
    .option('--model <name>', 'embedding model (see `docproc models list`)')
    .option('--model-dir <dir>', 'use a local sentence-transformers ONNX export')
    .addOption(new Option('--pooling <pooling>', 'pooling for --model-dir models whose config does not say').choices(['mean', 'cls']))
    .addOption(new Option('--device <device>', 'execution provider').choices(['auto', 'cpu', 'cuda']))
    .option('--threads <n>', 'ONNX intra-op threads in all', int)
    .option('--embed-sessions <n>', 'parallel embedding sessions (ingest, watch; default one per core)', int)
    .option('--batch-size <n>', 'chunks per model call', int);
}

export function buildProgram(): Command {
  const program = new Command('docproc')
    .description('Ingest documents into a local semantic index and search them')
    .version('0.1.0')
    .option('--db <path|url>', 'the index: a SQLite file or a postgres:// URL (env DOCPROC_DB)')
    .option('--pg-schema <name>', 'Postgres schema for docproc\'s tables (default docproc)')
    .option('--path-alias <LOCAL=STORED>', 'store paths under LOCAL as STORED/... (repeatable): one ledger for a share mounted at different paths', collect)
    .option('--config <file>', 'config file (default ./docproc.config.json)')
    .option('--json', 'machine-readable output on stdout')
    .option('-q, --quiet', 'only errors on stderr')
    .option('-v, --verbose', 'debug logs on stderr')
    .option('--log-file <file>', 'write logs to this file')
    .showHelpAfterError()
    .exitOverride();

  modelOptions(
    program
      .command('ingest')
      .description('walk paths, extract, chunk, embed and store every file')
      .argument('[paths...]', 'files or folders (default: roots already in the index, with --reembed)')
      .option('--ignore <glob>', 'ignore matching paths (repeatable)', collect)
      .option('--follow-symlinks', 'follow symbolic links inside the root')
      .option('--chunk-tokens <n>', 'max tokens per chunk', int)
      .option('--chunk-overlap <n>', 'overlap tokens between chunks', int)
      .option('--no-ocr', 'do not OCR images and scanned pages')
      .option('--ocr-lang <lang>', 'tesseract language(s)')
      .option('--ocr-data-dir <dir>', 'tesseract models (<lang>.traineddata) to use instead of the default ones')
      .addOption(new Option('--ocr-model <model>', 'English OCR model (default fast)').choices(['fast', 'best']))
      .option('--ocr-pictures', 'also OCR page-sized pictures in documents that have text of their own')
      .option('--max-file-mb <mb>', 'skip larger files', num)
      .option('--workers <n>', 'extraction worker processes', int)
      .option('--reembed', 'rebuild the whole index (new model or chunk settings) in a shadow copy, then swap it in')
      .option('--dry-run', 'list what would change, touch nothing')
      .option('--no-prune', 'keep documents whose files were deleted')
      .option('--allow-empty-root', 'let a root that yields no files remove its documents (default: refuse, exit 3)')
      .option('--max-prune-ratio <x>', 'largest share (0-1) of a root\'s documents one run may remove (default 0.5)', ratio)
      .option('--retry-failed', 'retry failed files even past maxAttempts')
      .addOption(new Option('--fail-on <what>', 'which outcome makes the exit code 3').choices(['failed', 'empty', 'never']).default('failed'))
      .option('--wait [seconds]', 'wait for a locked index instead of exiting 4')
      .option('--metrics-file <path>', 'at the end, write the metrics in node_exporter textfile format (atomically) to this .prom file'),
  ).action(lazy(() => import('./commands/ingest.js')));

  modelOptions(
    program
      .command('search')
      .description('find passages by meaning and keywords')
      .argument('<query>', 'what to look for')
      .option('-k, --limit <n>', 'number of results', int, 10)
      .addOption(new Option('--mode <mode>', 'retrieval mode').choices(['hybrid', 'vector', 'keyword']).default('hybrid'))
      .option('--path <glob>', 'only documents whose path matches (repeatable)', collect)
      .option('--type <types>', 'only these types, e.g. pdf,docx')
      .option('--since <date>', 'only files modified since this date')
      .option('--min-score <x>', 'drop results scoring below this', num)
      .addOption(new Option('--group-by <what>', 'one result per document or every chunk').choices(['document', 'chunk']))
      .option('--explain', 'show keyword, vector and fused scores per result'),
  ).action(lazy(async (o) => {
    // A search that embeds its query starts the session thread now, so it boots while the command loads.
    if (o.mode !== 'keyword' && o.device !== 'cuda') (await import('../embed/session-pool.js')).prestartSessionWorker();
    return import('./commands/search.js');
  }));

  program
    .command('status')
    .description('what the index holds, recent runs and failures')
    .option('--failed', 'list failed and quarantined files with reasons')
    .option('--runs <n>', 'how many recent runs to show', int, 5)
    .action(lazy(() => import('./commands/status.js')));

  modelOptions(
    program
      .command('watch')
      .description('keep the index in sync with folders as files change')
      .argument('<paths...>', 'folders to watch')
      .option('--ignore <glob>', 'ignore matching paths (repeatable)', collect)
      .option('--debounce <ms>', 'wait this long after the last change', int, 500)
      .option('--no-ocr', 'do not OCR images and scanned pages')
      .option('--ocr-pictures', 'also OCR page-sized pictures in documents that have text of their own')
      .option('--serve-health <[host:]port>', 'also serve /livez, /readyz and /metrics (live ingestion metrics) on this address')
      .option('--allow-remote', 'let --serve-health listen on a non-loopback address')
      .option('--max-run-age <duration>', '/readyz: the last successful sync must be younger than this, e.g. 2h'),
  ).action(lazy(() => import('./commands/watch.js')));

  program
    .command('extract')
    .description('print what docproc extracts from one file, touching no index')
    .argument('<file>')
    .option('--no-ocr', 'do not OCR')
    .option('--ocr-lang <lang>', 'tesseract language(s)')
    .addOption(new Option('--ocr-model <model>', 'English OCR model (default fast)').choices(['fast', 'best']))
    .option('--ocr-pictures', 'also OCR page-sized pictures in documents that have text of their own')
    .action(lazy(() => import('./commands/extract.js')));

  const models = program.command('models').description('manage embedding models');
  modelOptions(models.command('list').description('known and cached models')).action(lazy(() => import('./commands/models-list.js')));
  modelOptions(models.command('pull').description('fetch a model ahead of time').argument('[name]')).action(lazy(() => import('./commands/models-pull.js')));
  modelOptions(models.command('info').description('details of the configured model').argument('[name]')).action(lazy(() => import('./commands/models-info.js')));

  program
    .command('copy')
    .description('copy an index between stores (SQLite file <-> Postgres URL) without re-embedding, then verify it')
    .requiredOption('--from <path|url>', 'the index to copy')
    .requiredOption('--to <path|url>', 'where to copy it')
    .option('--from-schema <name>', 'Postgres schema of --from (default: --pg-schema)')
    .option('--to-schema <name>', 'Postgres schema of --to (default: --pg-schema)')
    .option('--replace', 'replace an index already at --to (swapped in atomically)')
    .option('--sample <n>', 'documents whose vectors are compared after the copy', int, 50)
    .option('--wait [seconds]', 'wait for a locked target instead of exiting 4')
    .action(lazy(() => import('./commands/copy.js')));

  program
    .command('serve-health')
    .description('serve /livez, /readyz (index, model, disk, lock, last run) and /metrics (Prometheus) over HTTP')
    .option('--host <address>', 'address to listen on (default 127.0.0.1; env DOCPROC_HEALTH_HOST)')
    .option('--port <n>', 'port to listen on (default 9464; 0: any free port)', int)
    .option('--allow-remote', 'allow a non-loopback --host (the answers name files and hosts)')
    .option('--max-run-age <duration>', 'unhealthy when the last successful run is older than this, e.g. 26h')
    .option('--check-timeout <ms>', 'time each readiness check may take before it is degraded (default 2000)', int)
    .option('--max-connections <n>', 'concurrent connections served; more are closed', int, 32)
    .option('--model <name>', 'the model to check (default: the index\'s)')
    .option('--model-dir <dir>', 'check a local ONNX export instead')
    .action(lazy(() => import('./commands/serve-health.js')));

  program
    .command('backup')
    .description('a verified, consistent backup of the index (safe while ingest or watch writes), then retention')
    .option('--out <dir>', 'folder for backups (default .docproc-backups beside the index)')
    .option('--keep <n>', 'keep at most this many docproc backups in the folder', int)
    .option('--retention-days <d>', 'delete docproc backups older than this (default 30; 0: never)', num)
    .option('--portable', 'Postgres: a portable SQLite export even where pg_dump is usable')
    .option('--verify <file>', 'only verify an existing backup (exit 3 if it fails)')
    .action(lazy(() => import('./commands/backup.js')));

  program
    .command('restore')
    .description('verify a backup, then replace the index (--db) with it atomically')
    .argument('<backup>', 'a backup file (or its .manifest.json)')
    .option('--force', 'replace the index even while a live ingest or watch holds it (its later writes are lost)')
    .option('--wait [seconds]', 'wait for a locked index instead of exiting 4')
    .action(lazy(() => import('./commands/restore.js')));

  program
    .command('config')
    .description('every configuration key with its default, env variable and resolved value')
    .action(lazy(() => import('./commands/config.js')));

  return program;
}
