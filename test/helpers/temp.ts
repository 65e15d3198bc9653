// Temporary folders for tests, removed when the test process exits, so a suite run leaves the temp dir as it found
// it (thousands of folders piled up otherwise). DOCPROC_KEEP_TEST_DIRS=1 keeps them for a post-mortem.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const made: string[] = [];

function removeAll(): void {
  if (process.env['DOCPROC_KEEP_TEST_DIRS'] === '1') return;
  for (const d of made.splice(0)) {
    try {
      rmSync(d, { recursive: true, force: true, maxRetries: 2 });
    } catch {
      // A folder a killed child still holds open: the OS temp cleaner gets it.
    }
  }
}

export function tempDir(prefix = 'docproc-test-'): string {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  if (!made.length) process.once('exit', removeAll);
  made.push(d);
  return d;
}
