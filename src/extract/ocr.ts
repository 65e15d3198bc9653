// OCR with tesseract.js: one lazily created worker per process, local language data only, hard timeouts.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import type { Worker } from 'tesseract.js';
import { FileError } from '../errors.js';

const require = createRequire(import.meta.url);

let worker: Promise<Worker> | undefined;
let workerLang = '';

/** Folder holding `<lang>.traineddata.gz` from @tesseract.js-data/* (best_int = the LSTM model). */
function langPathFor(lang: string): string {
  const pkg = require.resolve(`@tesseract.js-data/${lang}/package.json`);
  return path.join(path.dirname(pkg), '4.0.0_best_int');
}

function resolveLangPath(langs: string): string {
  const list = langs.split('+').filter(Boolean);
  let dir: string | undefined;
  for (const l of list) {
    let p: string;
    try {
      p = langPathFor(l);
    } catch {
      throw new FileError('failed', 'ocr-unavailable', `no local language data for '${l}' (install @tesseract.js-data/${l})`);
    }
    if (!existsSync(path.join(p, `${l}.traineddata.gz`))) throw new FileError('failed', 'ocr-unavailable', `missing ${l}.traineddata.gz`);
    // tesseract.js takes one langPath: every language must live in the same folder layout.
    if (dir && dir !== p && path.dirname(path.dirname(dir)) !== path.dirname(path.dirname(p))) dir = p;
    dir ??= p;
  }
  if (!dir) throw new FileError('failed', 'ocr-unavailable', 'no OCR language');
  return dir;
}

async function getWorker(lang: string, timeoutMs: number): Promise<Worker> {
  if (worker && workerLang === lang) return worker;
  if (worker) await closeOcr();
  const langPath = resolveLangPath(lang);
  const { createWorker } = await import('tesseract.js');
  workerLang = lang;
  // Without langPath tesseract.js fetches from a CDN and hangs offline; cacheMethod 'none' keeps it from writing to cwd.
  const p = createWorker(lang, 1 /* LSTM_ONLY */, {
    langPath,
    gzip: true,
    cacheMethod: 'none',
    cachePath: tmpdir(),
    errorHandler: () => {},
  }, { debug_file: '/dev/null' } as Record<string, string>); // tesseract prints "Estimating resolution" to stdout otherwise
  worker = p;
  try {
    return await withTimeout(p, timeoutMs, 'OCR engine start');
  } catch (e) {
    worker = undefined;
    p.then((w) => w.terminate()).catch(() => {});
    throw new FileError('failed', 'ocr-unavailable', e instanceof Error ? e.message : String(e));
  }
}

/** OCRs one image (PNG/JPEG/BMP/WebP bytes). A hung job terminates the worker so the next call starts fresh. */
export async function ocrImage(img: Buffer, lang: string, timeoutMs: number): Promise<string> {
  const w = await getWorker(lang, timeoutMs);
  try {
    // rotateAuto lets leptonica deskew small rotations (photographed pages); OSD for 90° needs osd data we don't ship.
    const res = await withTimeout(w.recognize(img, { rotateAuto: true }), timeoutMs, 'OCR');
    return res.data.text ?? '';
  } catch (e) {
    await closeOcr();
    throw e;
  }
}

export async function closeOcr(): Promise<void> {
  const p = worker;
  worker = undefined;
  workerLang = '';
  if (!p) return;
  try {
    const w = await withTimeout(p, 5000, 'OCR close');
    await withTimeout(w.terminate(), 5000, 'OCR terminate');
  } catch {
    // Already dead or stuck: nothing else to release from here.
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, rej) => {
    t = setTimeout(() => rej(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(t));
}
