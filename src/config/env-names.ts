// The environment variable of each config key, and the DOCPROC_* variables docproc reads outside the schema.

/**
 * `chunkTokens` -> `DOCPROC_CHUNK_TOKENS`, `maxFileMB` -> `DOCPROC_MAX_FILE_MB`.
 * A run of capitals is one word (MB, not M_B), so a new key gets the name a reader would guess.
 */
export function envNameFor(key: string): string {
  const snake = key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2');
  return 'DOCPROC_' + snake.toUpperCase();
}

/**
 * DOCPROC_* variables that are not config keys but are read elsewhere, so they never draw an
 * "unknown variable" warning. Keep in step with the code that reads them and with the README.
 */
export const NON_CONFIG_ENV_VARS: readonly string[] = [
  'DOCPROC_TEST_HOME', // test runner: the shared model cache
  'DOCPROC_TEST_DATABASE_URL', // tests: the Postgres to run the store suite against
  'DOCPROC_CORPUS', // tests: the extraction corpus folder
  'DOCPROC_TEST_STARTS', // tests: where the slow test extractors log the files they start
  'DOCPROC_KEEP_TEST_DIRS', // tests: keep their temporary folders for a post-mortem
  'DOCPROC_LOCK_STALE_MS', // index lock: age after which a lock held by a dead process is taken over
];
