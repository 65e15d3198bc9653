// `docproc extract <file>`: what docproc reads from one file, through the same isolated path as ingest; no index.
import path from 'node:path';
import fs from 'node:fs';
import { createContext, type GlobalFlags } from '../context.js';
import { writeJson, writeLine } from '../output.js';
import { DocprocError, FileError, UsageError } from '../../errors.js';
import { ExtractPool } from '../../extract/pool.js';
import { extractOptionsForRun } from '../../pipeline/resources.js';
import type { Loc } from '../../contracts/stages.js';

interface ExtractFlags extends GlobalFlags {
  ocr?: boolean;
  ocrLang?: string;
  ocrModel?: 'fast' | 'best';
  ocrPictures?: boolean;
}

export function formatLoc(loc: Loc): string {
  const parts: string[] = [];
  if (loc.page !== undefined) parts.push(`p. ${loc.page}`);
  if (loc.sheet !== undefined) parts.push(`sheet ${loc.sheet}`);
  if (loc.slide !== undefined) parts.push(`slide ${loc.slide}`);
  if (loc.heading) parts.push(`§ ${loc.heading}`);
  if (loc.line !== undefined) parts.push(`line ${loc.line}`);
  return parts.join(', ');
}

export async function run(file: string, flags: ExtractFlags): Promise<void> {
  const { config, log } = createContext(flags, { ocr: flags.ocr === false ? false : undefined, ocrLang: flags.ocrLang, ocrModel: flags.ocrModel, ocrPictures: flags.ocrPictures || undefined });
  const abs = path.resolve(file);
  if (!fs.existsSync(abs) || !fs.statSync(abs).isFile()) throw new UsageError(`not a file: ${file}`);
  const pool = new ExtractPool({ size: 1, timeoutMs: config.fileTimeoutMs, maxMemoryMB: config.workerMemoryMB, extractOptions: await extractOptionsForRun(config, log), log });
  try {
    const doc = await pool.extract(abs);
    // The status ingest would record: a file that yields no text is 'empty', with the reason, as in its file events.
    const read = doc.sections.some((s) => s.text.trim());
    const status = read ? { status: 'ok' } : { status: 'empty', reason: doc.warnings[0] ?? 'no text found' };
    if (config.json) return writeJson({ path: file, ...status, ...doc, characters: doc.sections.reduce((n, s) => n + s.text.length, 0) });
    for (const w of doc.warnings) process.stderr.write(`warning: ${w}\n`);
    process.stderr.write(`type: ${doc.type}${doc.pages ? `, ${doc.pages} pages` : ''}${doc.pagesOcr ? `, ${doc.pagesOcr} OCR'd` : ''}\n`);
    for (const s of doc.sections) {
      const where = formatLoc(s.loc);
      if (where) writeLine(`--- ${where}`);
      writeLine(s.text);
    }
  } catch (err) {
    if (!(err instanceof FileError)) throw err;
    if (config.json) writeJson({ path: file, status: err.status, reason: err.message });
    throw new DocprocError(`${file}: ${err.status}: ${err.message}`, { code: err.status, exitCode: 3 });
  } finally {
    await pool.close();
  }
}
