// Unit tests for config resolution: environment names and parsing, unknown-variable warnings, config-file paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ExitCode, UsageError } from '../../src/errors.js';
import { configEnvNames, explicitConfigKeys, loadConfig, unknownEnvWarnings } from '../../src/config/load.js';
import { NON_CONFIG_ENV_VARS } from '../../src/config/env-names.js';
import { describeConfig } from '../../src/config/schema.js';
import { extractOptionsFromConfig, extractSettingsKey } from '../../src/pipeline/resources.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

const configDir = (): string => tempDir('docproc-config-');
/** An empty folder as cwd, so no docproc.config.json of the checkout is read. */
const load = (env: NodeJS.ProcessEnv, flags: Record<string, unknown> = {}) => loadConfig({ flags, env, cwd: configDir() });

/** Asserts `fn` throws a UsageError (exit 2) whose message matches every pattern. */
function assertUsage(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof UsageError, String(e));
    assert.equal(e.exitCode, ExitCode.usage);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

test('env names: the documented ones, e.g. DOCPROC_MAX_FILE_MB and DOCPROC_WORKER_MEMORY_MB', () => {
  const cfg = load({ DOCPROC_MAX_FILE_MB: '7', DOCPROC_WORKER_MEMORY_MB: '512', DOCPROC_CONNECT_TIMEOUT_MS: '900', DOCPROC_HF_ENDPOINT: 'http://mirror.local' });
  assert.equal(cfg.maxFileMB, 7);
  assert.equal(cfg.workerMemoryMB, 512);
  assert.equal(cfg.connectTimeoutMs, 900);
  assert.equal(cfg.hfEndpoint, 'http://mirror.local');
  assert.equal(load({ DOCPROC_HOME: '/tmp/dh' }).home, '/tmp/dh');
  // The old, derived names are not read.
  assert.equal(load({ DOCPROC_MAX_FILE_M_B: '7' }).maxFileMB, 50);
  const names: Record<string, string> = Object.fromEntries(configEnvNames().map((k) => [k.key, k.env]));
  assert.deepEqual(names, {
    db: 'DOCPROC_DB', home: 'DOCPROC_HOME', model: 'DOCPROC_MODEL', modelDir: 'DOCPROC_MODEL_DIR', pooling: 'DOCPROC_POOLING',
    modelSources: 'DOCPROC_MODEL_SOURCES', hfEndpoint: 'DOCPROC_HF_ENDPOINT', mavenRepos: 'DOCPROC_MAVEN_REPOS',
    localModelsDir: 'DOCPROC_LOCAL_MODELS_DIR', connectTimeoutMs: 'DOCPROC_CONNECT_TIMEOUT_MS', device: 'DOCPROC_DEVICE',
    threads: 'DOCPROC_THREADS', batchSize: 'DOCPROC_BATCH_SIZE', chunkTokens: 'DOCPROC_CHUNK_TOKENS', chunkOverlap: 'DOCPROC_CHUNK_OVERLAP',
    ignore: 'DOCPROC_IGNORE', followSymlinks: 'DOCPROC_FOLLOW_SYMLINKS', allowedTypes: 'DOCPROC_ALLOWED_TYPES', maxFileMB: 'DOCPROC_MAX_FILE_MB',
    maxPages: 'DOCPROC_MAX_PAGES',
    maxPruneRatio: 'DOCPROC_MAX_PRUNE_RATIO', pgSchema: 'DOCPROC_PG_SCHEMA', ocrDataDir: 'DOCPROC_OCR_DATA_DIR', ocrModel: 'DOCPROC_OCR_MODEL', embedSessions: 'DOCPROC_EMBED_SESSIONS', leaseMs: 'DOCPROC_LEASE_MS', pathAliases: 'DOCPROC_PATH_ALIASES',
    stopGraceMs: 'DOCPROC_STOP_GRACE_MS', maxChars: 'DOCPROC_MAX_CHARS', ocr: 'DOCPROC_OCR', ocrLang: 'DOCPROC_OCR_LANG', ocrPictures: 'DOCPROC_OCR_PICTURES',
    fileTimeoutMs: 'DOCPROC_FILE_TIMEOUT_MS', workerMemoryMB: 'DOCPROC_WORKER_MEMORY_MB', workers: 'DOCPROC_WORKERS',
    maxAttempts: 'DOCPROC_MAX_ATTEMPTS',
    pgHnswM: 'DOCPROC_PG_HNSW_M', pgHnswEfConstruction: 'DOCPROC_PG_HNSW_EF_CONSTRUCTION', pgEfSearch: 'DOCPROC_PG_EF_SEARCH',
    healthHost: 'DOCPROC_HEALTH_HOST', healthPort: 'DOCPROC_HEALTH_PORT', healthCheckTimeoutMs: 'DOCPROC_HEALTH_CHECK_TIMEOUT_MS',
    diskHealthyPercent: 'DOCPROC_DISK_HEALTHY_PERCENT', diskDegradedPercent: 'DOCPROC_DISK_DEGRADED_PERCENT', maxRunAge: 'DOCPROC_MAX_RUN_AGE',
    backupDir: 'DOCPROC_BACKUP_DIR', backupKeep: 'DOCPROC_BACKUP_KEEP', backupRetentionDays: 'DOCPROC_BACKUP_RETENTION_DAYS',
    json: 'DOCPROC_JSON', quiet: 'DOCPROC_QUIET', verbose: 'DOCPROC_VERBOSE', logFile: 'DOCPROC_LOG_FILE',
  });
  // `docproc config` and the README take the names from describeConfig.
  const envOf = new Map(configEnvNames().map((k) => [k.key, k.env]));
  for (const d of describeConfig()) assert.equal(d.env, envOf.get(d.key), d.key);
});

test('env booleans: 1/0, true/false, yes/no, on/off in any case; anything else exits 2 naming the variable', () => {
  for (const [word, value] of [['1', true], ['TRUE', true], ['Yes', true], ['on', true], ['0', false], ['False', false], ['NO', false], [' off ', false]] as const) {
    assert.equal(load({ DOCPROC_OCR: word }).ocr, value, word);
    assert.equal(load({ DOCPROC_FOLLOW_SYMLINKS: word }).followSymlinks, value, word);
  }
  assertUsage(() => load({ DOCPROC_OCR: 'ture' }), /DOCPROC_OCR/, /"ture"/, /boolean/);
  assertUsage(() => load({ DOCPROC_VERBOSE: '2' }), /DOCPROC_VERBOSE/);
});

test('env numbers and enums: a bad value exits 2 naming the variable (and the key)', () => {
  assertUsage(() => load({ DOCPROC_CHUNK_TOKENS: 'lots' }), /DOCPROC_CHUNK_TOKENS/, /chunkTokens/, /expected a number/);
  assertUsage(() => load({ DOCPROC_MAX_FILE_MB: 'abc' }), /DOCPROC_MAX_FILE_MB/);
  assertUsage(() => load({ DOCPROC_BATCH_SIZE: '1.5' }), /DOCPROC_BATCH_SIZE/, /int/);
  assertUsage(() => load({ DOCPROC_WORKERS: '0' }), /DOCPROC_WORKERS/);
  assertUsage(() => load({ DOCPROC_DEVICE: 'tpu' }), /DOCPROC_DEVICE/, /device/);
  assertUsage(() => load({ DOCPROC_MODEL_SOURCES: 'hf,ftp' }), /DOCPROC_MODEL_SOURCES/);
  // A flag that overrides a bad variable does not make the variable good: it is still reported.
  assertUsage(() => load({ DOCPROC_BATCH_SIZE: 'x' }, { batchSize: 4 }), /DOCPROC_BATCH_SIZE/);
  assert.equal(load({ DOCPROC_MAX_FILE_MB: ' 2.5 ' }).maxFileMB, 2.5);
  assert.equal(load({ DOCPROC_CHUNK_TOKENS: '' }).chunkTokens, 256, 'empty means unset');
});

test('unknownEnvWarnings: an unknown DOCPROC_* variable is named with the closest known name', () => {
  const warnings = unknownEnvWarnings({
    DOCPROC_MAX_FILE_M_B: '5',
    DOCPROC_CHUNK_TOKEN: '100',
    DOCPROC_WORKER_MEMORY_M_B: '9',
    DOCPROC_DB: 'x.db',
    DOCPROC_HOME: '/h',
    PATH: '/bin',
    docproc_db: 'lower case is not ours',
    ...Object.fromEntries(NON_CONFIG_ENV_VARS.map((n) => [n, '1'])),
  });
  assert.deepEqual(
    warnings.map((w) => [w.variable, w.suggestion]),
    [
      ['DOCPROC_CHUNK_TOKEN', 'DOCPROC_CHUNK_TOKENS'],
      ['DOCPROC_MAX_FILE_M_B', 'DOCPROC_MAX_FILE_MB'],
      ['DOCPROC_WORKER_MEMORY_M_B', 'DOCPROC_WORKER_MEMORY_MB'],
    ],
  );
  assert.match(warnings[1]!.message, /unknown environment variable DOCPROC_MAX_FILE_M_B.*did you mean DOCPROC_MAX_FILE_MB\?/);
  for (const n of ['DOCPROC_HOME', 'DOCPROC_TEST_HOME', 'DOCPROC_TEST_DATABASE_URL', 'DOCPROC_LOCK_STALE_MS', 'DOCPROC_STOP_GRACE_MS']) {
    assert.deepEqual(unknownEnvWarnings({ [n]: '1' }), [], n);
  }
  assert.equal(unknownEnvWarnings({ DOCPROC_TEST_HOM: '/x' })[0]?.suggestion, 'DOCPROC_TEST_HOME');
});

test('the CLI warns about an unknown DOCPROC_* variable on stderr and exits 2 on an invalid boolean', async () => {
  const cwd = configDir();
  const ok = await runCli(['config', '--json'], { cwd, env: { DOCPROC_MAX_FILE_M_B: '5' } });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stderr, /unknown environment variable DOCPROC_MAX_FILE_M_B.*did you mean DOCPROC_MAX_FILE_MB/);
  const quiet = await runCli(['config', '--json', '--quiet'], { cwd, env: { DOCPROC_MAX_FILE_M_B: '5' } });
  assert.equal(quiet.stderr, '', '--quiet: only errors');
  const bad = await runCli(['config', '--json'], { cwd, env: { DOCPROC_OCR: 'ture' } });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /DOCPROC_OCR/);
});

test('a relative path in a config file resolves against the file folder; flags and environment against cwd', () => {
  const root = configDir();
  const proj = path.join(root, 'proj');
  fs.mkdirSync(proj);
  fs.writeFileSync(
    path.join(proj, 'docproc.config.json'),
    JSON.stringify({ db: 'index/docs.db', home: '.docproc', logFile: 'logs/docproc.log', modelDir: 'onnx', localModelsDir: '../models', ocrLang: 'eng' }),
  );
  const cfg = loadConfig({ flags: {}, env: {}, configFile: 'proj/docproc.config.json', cwd: root });
  assert.equal(cfg.db, path.join(proj, 'index/docs.db'));
  assert.equal(cfg.home, path.join(proj, '.docproc'));
  assert.equal(cfg.logFile, path.join(proj, 'logs/docproc.log'));
  assert.equal(cfg.modelDir, path.join(proj, 'onnx'));
  assert.equal(cfg.localModelsDir, path.join(root, 'models'));
  assert.equal(cfg.ocrLang, 'eng', 'only path keys are resolved');
  // The default config file (docproc.config.json in cwd) is a config file too.
  assert.equal(loadConfig({ flags: {}, env: {}, cwd: proj }).db, path.join(proj, 'index/docs.db'));
  // Absolute paths stay; flags and environment are left relative to cwd, as before.
  fs.writeFileSync(path.join(proj, 'abs.json'), JSON.stringify({ db: '/srv/docs.db' }));
  assert.equal(loadConfig({ flags: {}, env: {}, configFile: 'proj/abs.json', cwd: root }).db, '/srv/docs.db');
  assert.equal(loadConfig({ flags: {}, env: { DOCPROC_DB: 'env.db' }, configFile: 'proj/docproc.config.json', cwd: root }).db, 'env.db');
  assert.equal(loadConfig({ flags: { db: 'flag.db' }, env: {}, configFile: 'proj/docproc.config.json', cwd: root }).db, 'flag.db');
  // With no file setting it, the default stays relative to cwd.
  assert.equal(load({}).db, './docproc.db');
});

test('explicitConfigKeys: keys set by flag, environment or config file count as explicit; defaults do not', () => {
  const dir = configDir();
  assert.deepEqual([...explicitConfigKeys({ flags: { model: undefined }, env: {}, cwd: dir })], []);
  assert.ok(explicitConfigKeys({ flags: {}, env: { DOCPROC_MODEL: 'bge-small-en-v1.5-q' }, cwd: dir }).has('model'));
  assert.ok(explicitConfigKeys({ flags: { model: 'bge-small-en-v1.5-q' }, env: {}, cwd: dir }).has('model'));
  fs.writeFileSync(path.join(dir, 'docproc.config.json'), JSON.stringify({ model: 'bge-small-en-v1.5-q', chunkTokens: 128 }));
  const fromFile = explicitConfigKeys({ flags: {}, env: {}, cwd: dir });
  assert.ok(fromFile.has('model') && fromFile.has('chunkTokens'));
  assert.ok(!fromFile.has('chunkOverlap'));
});

test('PDF images are drawn up to what the worker memory ceiling allows: 40 megapixels at 1024 MB, more with more', async () => {
  const { extractOptionsFromConfig } = await import('../../src/pipeline/resources.js');
  const { pdfImagePixels } = await import('../../src/extract/options.js');
  assert.equal(pdfImagePixels(1024), 40_000_000);
  assert.equal(pdfImagePixels(2048), 104_000_000);
  assert.equal(pdfImagePixels(256), 10_000_000);
  const config = loadConfig({ env: {}, flags: { workerMemoryMB: 2048 } } as never);
  assert.equal(extractOptionsFromConfig(config).maxPdfImagePixels, 104_000_000);
});

test('ocrPictures: off by default and absent from the extraction settings key, so indexes made before it keep their files', () => {
  const off = load({});
  assert.equal(off.ocrPictures, false);
  assert.equal(extractOptionsFromConfig(off).ocrPictures, undefined);
  assert.doesNotMatch(extractSettingsKey(off), /ocrPictures/);
  const on = load({ DOCPROC_OCR_PICTURES: 'yes' });
  assert.equal(extractOptionsFromConfig(on).ocrPictures, true);
  assert.notEqual(extractSettingsKey(on), extractSettingsKey(off), 'turning it on re-reads the files');
  assert.equal(load({}, { ocrPictures: true }).ocrPictures, true);
});
