// Public entry of the extract stage: options, detection, dispatch to format extractors, output normalisation.
import { statSync } from 'node:fs';
import type { ExtractedDoc, Section } from '../contracts/stages.js';
import { FileError } from '../errors.js';
import { detectType } from './detect.js';
import { CharBudget, cleanText } from './normalize.js';
import { getExtractor, registeredTypes } from './registry.js';
import { closeOcr } from './ocr.js';
import { msg } from './zip.js';
import './formats/all.js';
import type { ExtractOptions } from './options.js';

export { defaultExtractOptions, SUPPORTED_TYPES } from './options.js';
export type { ExtractOptions } from './options.js';
export { detectType } from './detect.js';

/** Per type, the version of its extractor's output (part of the pipeline fingerprint). */
export const extractorVersions: Record<string, string> = Object.fromEntries(
  registeredTypes().map((t) => [t, getExtractor(t)!.version]),
);

/**
 * Extracts one file. Throws FileError for per-file outcomes (skipped / failed);
 * a document without text is returned with no text sections and a warning saying why.
 */
export async function extractFile(absPath: string, opts: ExtractOptions): Promise<ExtractedDoc> {
  opts.signal?.throwIfAborted();
  let size: number;
  try {
    const st = statSync(absPath); // synchronous: see readHead
    if (!st.isFile()) throw new FileError('skipped', 'type', 'not a regular file');
    size = st.size;
  } catch (e) {
    if (e instanceof FileError) throw e;
    throw new FileError('failed', 'unreadable', msg(e));
  }
  if (size > opts.maxFileBytes) throw new FileError('skipped', 'size', `${size} bytes > ${opts.maxFileBytes}`);
  const det = await detectType(absPath);
  const ex = getExtractor(det.type);
  if (!ex) throw new FileError('skipped', 'type', `unsupported type ${det.type}`);
  if (!opts.allowedTypes.includes(det.type)) throw new FileError('skipped', 'type', `type ${det.type} not allowed`);
  const warnings: string[] = det.mismatch ? [det.mismatch] : [];
  const budget = new CharBudget(opts.maxChars);
  let res;
  try {
    res = await ex.extract({ absPath, type: det.type, size, opts, warnings, budget });
  } catch (e) {
    if (e instanceof FileError) throw e;
    if (opts.signal?.aborted) throw e;
    throw new FileError('failed', 'corrupt', `${det.type}: ${msg(e)}`);
  }
  const sections = finalise(res.sections, opts.maxChars, warnings, budget);
  const doc: ExtractedDoc = { type: det.type, sections, warnings };
  if (res.pages !== undefined) doc.pages = res.pages;
  if (res.pagesOcr !== undefined) doc.pagesOcr = res.pagesOcr;
  if (sections.length === 0 && warnings.length === (det.mismatch ? 1 : 0)) warnings.push('no text found');
  return doc;
}

/** Normalises every section, drops empty ones and enforces maxChars on the final text. */
function finalise(raw: Section[], maxChars: number, warnings: string[], budget: CharBudget): Section[] {
  const out: Section[] = [];
  let used = 0;
  let truncated = budget.truncated;
  for (const s of raw) {
    const text = cleanText(s.text);
    if (!text) continue;
    const room = maxChars - used;
    if (room <= 0) {
      truncated = true;
      break;
    }
    if (text.length > room) truncated = true;
    // Cut without splitting a surrogate pair.
    const kept = text.length > room ? text.slice(0, /[\uD800-\uDBFF]/.test(text[room - 1] ?? '') ? room - 1 : room) : text;
    out.push({ text: kept, loc: s.loc });
    used += kept.length;
  }
  if (truncated) warnings.push(`truncated: text exceeds maxChars (${maxChars})`);
  return out;
}

/** Releases process-wide resources (the OCR worker). Call once when the process is done extracting. */
export async function closeExtractors(): Promise<void> {
  await closeOcr();
}
