// The extractors, except that a file named hang* is logged as started (SLOW_EXTRACT_STARTS) and never finishes:
// a stand-in for a slow real file (a big scan under OCR) that a stop must not wait for.
import fs from 'node:fs';
import path from 'node:path';
import { extractFile as realExtractFile, type ExtractOptions } from '../../src/extract/index.js';
import type { ExtractedDoc } from '../../src/pipeline/types.js';

export * from '../../src/extract/index.js';

export async function extractFile(absPath: string, opts: ExtractOptions): Promise<ExtractedDoc> {
  if (!path.basename(absPath).startsWith('hang')) return realExtractFile(absPath, opts);
  const log = process.env['SLOW_EXTRACT_STARTS'];
  if (log) fs.appendFileSync(log, `${absPath}\n`);
  return new Promise<never>(() => setInterval(() => {}, 1000));
}
