// OCR with tesseract.js: one lazily created worker per process (and one for orientation detection), local language
// data only, hard timeouts.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import type { Worker } from 'tesseract.js';
import { FileError } from '../errors.js';

const require = createRequire(import.meta.url);

let worker: Promise<Worker> | undefined;
let workerKey = '';
// The resolution the worker is set to ('0': let tesseract estimate it).
let workerDpi = '0';
let osdWorker: Promise<Worker | undefined> | undefined;

/** What one recognition pass read, with tesseract's mean word confidence (0-100). */
export interface Recognized {
  text: string;
  confidence: number;
}

/** Page orientation from tesseract's OSD: rotating the page clockwise by `degrees` puts it upright. */
export interface Orientation {
  degrees: number;
  confidence: number;
}
/** Folder holding `<lang>.traineddata.gz` from @tesseract.js-data/* (best_int = the LSTM model). */
function langPathFor(lang: string, variant = '4.0.0_best_int'): string {
  const pkg = require.resolve(`@tesseract.js-data/${lang}/package.json`);
  return path.join(path.dirname(pkg), variant);
}

/**
 * Where the language data is: a folder the user named (`<lang>.traineddata`, plain or .gz: tessdata_fast models read
 * faster), else the @tesseract.js-data packages.
 */
function resolveLangPath(langs: string, dataDir?: string): { langPath: string; gzip: boolean } {
  const list = langs.split('+').filter(Boolean);
  if (dataDir) {
    const gz = list.every((l) => existsSync(path.join(dataDir, `${l}.traineddata.gz`)));
    const missing = list.find((l) => !existsSync(path.join(dataDir, `${l}.traineddata${gz ? '.gz' : ''}`)));
    if (missing) throw new FileError('failed', 'ocr-unavailable', `no ${missing}.traineddata in ${dataDir}`);
    return { langPath: dataDir, gzip: gz };
  }
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
  return { langPath: dir, gzip: true };
}

async function getWorker(lang: string, timeoutMs: number, dataDir?: string): Promise<Worker> {
  const key = `${lang}\0${dataDir ?? ''}`;
  if (worker && workerKey === key) return worker;
  if (worker) await closeOcr();
  const { langPath, gzip } = resolveLangPath(lang, dataDir);
  const { createWorker } = await import('tesseract.js');
  workerKey = key;
  workerDpi = '0';
  // Without langPath tesseract.js fetches from a CDN and hangs offline; cacheMethod 'none' keeps it from writing to cwd.
  const p = createWorker(lang, 1 /* LSTM_ONLY */, {
    langPath,
    gzip,
    cacheMethod: 'none',
    cachePath: tmpdir(),
    errorHandler: () => {},
  }, { debug_file: '/dev/null' } as Record<string, string>) // tesseract prints "Estimating resolution" to stdout otherwise
    // The API's default is one uniform block (PSM 6), which interleaves columns and drops table rows; the tesseract
    // command line, the usual yardstick, segments the page first (PSM 3).
    .then(async (w) => {
      await w.setParameters({ tessedit_pageseg_mode: '3' as never });
      return w;
    });
  worker = p;
  try {
    return await withTimeout(p, timeoutMs, 'OCR engine start');
  } catch (e) {
    worker = undefined;
    p.then((w) => w.terminate()).catch(() => {});
    throw new FileError('failed', 'ocr-unavailable', e instanceof Error ? e.message : String(e));
  }
}

/** What the engine was given: the image as prepared, and the resolution it was told. */
export type RecognizeObserver = (img: Buffer, dpi: number | undefined) => void;
let observer: RecognizeObserver | undefined;

/**
 * Sees every image handed to the engine (bench:ocr reads the same pixels with native tesseract, to tell the engine's
 * cost from the preparation's). One observer per process; undefined removes it.
 */
export function observeRecognize(f: RecognizeObserver | undefined): void {
  observer = f;
}

/** OCRs one image (PNG/JPEG/PGM bytes). A hung job terminates the worker so the next call starts fresh. */
export async function recognize(img: Buffer, o: { lang: string; timeoutMs: number; dataDir?: string; dpi?: number; sparse?: boolean }): Promise<Recognized> {
  const { lang, timeoutMs, dataDir, dpi } = o;
  observer?.(img, dpi);
  const w = await getWorker(lang, timeoutMs, dataDir);
  try {
    // A PGM carries no resolution: without one tesseract guesses from glyph sizes, and guesses 366 for a 250 dpi
    // table page, then takes its rules for text and drops rows. Set on the worker, not per job: a per-job parameter
    // makes tesseract.js save and restore every parameter around the job, ~50 ms a page.
    const want = dpi ? String(Math.round(dpi)) : '0';
    if (want !== workerDpi) {
      await withTimeout(w.setParameters({ user_defined_dpi: want } as never), timeoutMs, 'OCR parameters');
      workerDpi = want;
    }
    if (o.sparse) return sparseWords(await withTimeout(w.recognize(img, { tessedit_pageseg_mode: '11' } as never, { text: false, blocks: true }), timeoutMs, 'OCR'));
    const res = await withTimeout(w.recognize(img), timeoutMs, 'OCR');
    return { text: joinContractions(res.data.text ?? ''), confidence: res.data.confidence ?? 0 };
  } catch (e) {
    await closeOcr();
    throw e;
  }
}

// In a sparse reading, a word tesseract is less sure of than this is mostly a drawing's strokes read as letters: on a
// map, "Bokale" and "Errepide" were read at 84-93, "fox," and "Enrobi" (a river's name) at 38-42.
const MIN_SPARSE_WORD_CONFIDENCE = 60;

/**
 * Sparse text (PSM 11): tesseract finds as much text as it can, in no particular order, each word with its own
 * confidence; only the words it is sure of are kept, a line of them to each line it found.
 */
function sparseWords(res: { data: { blocks?: { paragraphs: { lines: { words: { text: string; confidence: number }[] }[] }[] }[] | null; confidence?: number } }): Recognized {
  const lines: string[] = [];
  for (const b of res.data.blocks ?? []) {
    for (const p of b.paragraphs) {
      for (const l of p.lines) {
        const sure = l.words.filter((w) => w.confidence >= MIN_SPARSE_WORD_CONFIDENCE).map((w) => w.text);
        if (sure.length) lines.push(sure.join(' '));
      }
    }
  }
  return { text: joinContractions(lines.join('\n')), confidence: res.data.confidence ?? 0 };
}

/**
 * Tesseract sometimes sets a space after an apostrophe ("you’ ll", "Sequencer’ s"), which splits the word for search.
 * English contractions and possessives are joined again; an apostrophe closing a quotation keeps its space.
 */
export function joinContractions(text: string): string {
  return text.replace(/(\p{L})([’'])[ \t]+(s|t|ll|re|ve|d|m)(?=$|[\s.,;:!?)”"])/gu, '$1$2$3');
}

/**
 * Orientation and script detection (tesseract's legacy engine and @tesseract.js-data/osd); undefined when that data
 * is not installed or detection fails: the page is then read as it is.
 */
export async function detectOrientation(img: Buffer, timeoutMs: number): Promise<Orientation | undefined> {
  const w = await getOsdWorker(timeoutMs);
  if (!w) return undefined;
  try {
    const res = await withTimeout(w.detect(img), timeoutMs, 'orientation detection');
    const { orientation_degrees: degrees, orientation_confidence: confidence } = res.data;
    return degrees === null || confidence === null ? undefined : { degrees, confidence };
  } catch {
    await closeOsd();
    return undefined;
  }
}

function getOsdWorker(timeoutMs: number): Promise<Worker | undefined> {
  osdWorker ??= (async () => {
    let langPath: string;
    try {
      langPath = langPathFor('osd', '4.0.0');
    } catch {
      return undefined;
    }
    if (!existsSync(path.join(langPath, 'osd.traineddata.gz'))) return undefined;
    const { createWorker } = await import('tesseract.js');
    // OSD lives in the legacy engine: its own core and the legacy model, beside the LSTM worker.
    const p = createWorker('osd', 0 /* TESSERACT_ONLY */, {
      langPath, gzip: true, cacheMethod: 'none', cachePath: tmpdir(), legacyCore: true, legacyLang: true, errorHandler: () => {},
    }, { debug_file: '/dev/null' } as Record<string, string>);
    try {
      return await withTimeout(p, timeoutMs, 'OSD engine start');
    } catch {
      p.then((w) => w.terminate()).catch(() => {});
      return undefined;
    }
  })();
  return osdWorker;
}

async function closeOsd(): Promise<void> {
  const p = osdWorker;
  osdWorker = undefined;
  const w = await p?.catch(() => undefined);
  await w?.terminate().catch(() => {});
}

export async function closeOcr(): Promise<void> {
  await closeOsd();
  const p = worker;
  worker = undefined;
  workerKey = '';
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
