// bench:ocr — docproc's OCR against a reference for every image and image-only PDF page in a folder: word recall,
// character error rate, seconds per page; native tesseract (when installed) measured the same way, as the yardstick.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { closeExtractors, defaultExtractOptions, extractFile } from '../src/extract/index.js';
import { observeRecognize } from '../src/extract/ocr.js';
import { dropRunningText } from '../src/extract/pdf-layout.js';
import { loadConfig } from '../src/config/load.js';
import { createLogger } from '../src/log.js';
import { extractOptionsForRun } from '../src/pipeline/resources.js';
import { goalSummary, renderGoal } from './ocr-bench/goal.js';
import { cer, wordRecall, words } from './ocr-bench/metrics.js';
import { runTimed, type Seconds } from './ocr-bench/timed.js';

const run = promisify(execFile);
const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg', '.tif', '.tiff', '.bmp', '.webp']);
// docproc OCRs a PDF page whose text layer has fewer non-space characters than this (formats/pdf.ts).
const MIN_TEXT_CHARS = 16;
const USAGE = 'usage: bench-ocr <dir> [--truth-dir DIR] [--json] [--no-native] [--native-threads N] [--lang eng] [--ocr-model fast|best] [--ocr-data-dir DIR] [--runs N]';

interface Args { dir: string; truthDir?: string; json: boolean; native: boolean; nativeThreads: number; lang: string; ocrModel: 'fast' | 'best'; ocrDataDir?: string; runs: number }


interface Row {
  file: string;
  pages: number;
  reference: 'truth' | 'native';
  refWords: number;
  docproc: { recall: number; cer: number; perPage: Seconds };
  native?: { recall?: number; cer?: number; perPage: Seconds };
  /**
   * Native tesseract on the very images docproc's engine was given (levelled, turned, resized; every reading of a
   * page): docproc's time over this one is the cost of its engine and preparation, with the pixels held equal.
   */
  samePixels?: { recall: number; perPage: Seconds; readings: number };
}

/** One image as docproc handed it to the OCR engine. */
interface Prepared { img: Buffer; dpi?: number }

function parseArgs(argv: string[]): Args {
  const a: Args = { dir: '', json: false, native: true, nativeThreads: 1, lang: 'eng', ocrModel: 'fast', runs: 3 };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i]!;
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${x} needs a value`);
      return v;
    };
    if (x === '--json') a.json = true;
    else if (x === '--no-native') a.native = false;
    else if (x === '--truth-dir') a.truthDir = val();
    else if (x === '--native-threads') a.nativeThreads = Number(val());
    else if (x === '--lang') a.lang = val();
    else if (x === '--ocr-data-dir') a.ocrDataDir = val();
    else if (x === '--runs') a.runs = Math.max(1, Number(val()) || 1);
    else if (x === '--ocr-model') {
      const m = val();
      if (m !== 'fast' && m !== 'best') throw new Error('--ocr-model is fast or best');
      a.ocrModel = m;
    }
    else if (x.startsWith('--')) throw new Error(`unknown option ${x}\n${USAGE}`);
    else a.dir = x;
  }
  if (!a.dir) throw new Error(USAGE);
  return a;
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.isFile() && (IMAGE_EXT.has(path.extname(e.name).toLowerCase()) || e.name.toLowerCase().endsWith('.pdf'))) out.push(p);
  }
  return out.sort();
}

async function onPath(cmd: string): Promise<boolean> {
  try {
    await run('sh', ['-c', `command -v ${cmd}`]);
    return true;
  } catch {
    return false;
  }
}

/** Ground truth: `<file>.txt` or `<stem>.txt` beside the file, else the same names under --truth-dir. */
async function truthFor(file: string, a: Args): Promise<string | undefined> {
  const rel = path.relative(a.dir, file);
  const stem = (p: string) => p.slice(0, p.length - path.extname(p).length);
  const candidates = [`${file}.txt`, `${stem(file)}.txt`];
  if (a.truthDir) candidates.push(path.join(a.truthDir, `${rel}.txt`), path.join(a.truthDir, `${path.basename(file)}.txt`));
  for (const c of candidates) if (existsSync(c)) return readFile(c, 'utf8');
  return undefined;
}

/** Pages of a PDF that docproc OCRs (no real text layer), found with poppler's pdftotext. */
async function imageOnlyPages(file: string, pages: number): Promise<number[]> {
  const out: number[] = [];
  for (let p = 1; p <= pages; p++) {
    const { stdout } = await run('pdftotext', ['-f', String(p), '-l', String(p), file, '-'], { maxBuffer: 64 << 20 });
    if (stdout.replace(/\s/g, '').length < MIN_TEXT_CHARS) out.push(p);
  }
  return out;
}

/** Runs f in this process, measuring wall and CPU time (the OCR engine's worker threads included). */
async function timed<T>(f: () => Promise<T>): Promise<[T, Seconds]> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const v = await f();
  const c = process.cpuUsage(c0);
  return [v, { wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 }];
}

/** The run with the least CPU time of n. */
async function fastest<T>(n: number, f: () => Promise<[T, Seconds]>): Promise<[T, Seconds]> {
  let best: [T, Seconds] | undefined;
  for (let i = 0; i < n; i++) {
    const r = await f();
    if (!best || r[1].cpu < best[1].cpu) best = r;
  }
  return best!;
}

const per = (s: Seconds, n: number): Seconds => ({ wall: s.wall / n, cpu: s.cpu / n });
const minus = (a: Seconds, b: Seconds): Seconds => ({ wall: Math.max(0, a.wall - b.wall), cpu: Math.max(0, a.cpu - b.cpu) });

/**
 * Native tesseract's pages as docproc would index them: a running header or footer once (three pages or more), so
 * that recall against native measures reading, not the deduplication docproc does after it.
 */
function asIndexed(pages: string[]): string {
  return dropRunningText(pages.filter((t) => t.trim())).join('\n');
}

/** Native tesseract on an image, or on PDF pages rendered at 300 dpi by pdftoppm (its time counted too). */
async function nativeOcr(file: string, pdfPages: number[] | undefined, a: Args): Promise<[string, Seconds]> {
  const env = { ...process.env, OMP_THREAD_LIMIT: String(a.nativeThreads) };
  const tess = (img: string) => runTimed('tesseract', [img, 'stdout', '-l', a.lang], env);
  if (!pdfPages) {
    // A multi-page TIFF comes out as one text, its pages separated by form feeds.
    const [out, s] = await tess(file);
    return [asIndexed(out.split('\f')), s];
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-ocr-'));
  try {
    const texts: string[] = [];
    const total: Seconds = { wall: 0, cpu: 0 };
    for (const p of pdfPages) {
      const prefix = path.join(dir, `p${p}`);
      const [, render] = await runTimed('pdftoppm', ['-r', '300', '-f', String(p), '-l', String(p), '-singlefile', '-png', file, prefix], env);
      const [out, ocr] = await tess(`${prefix}.png`);
      texts.push(out);
      total.wall += render.wall + ocr.wall;
      total.cpu += render.cpu + ocr.cpu;
    }
    return [asIndexed(texts), total];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Native tesseract on docproc's prepared images (binary PGM), told the same resolution. */
async function nativeOnPrepared(prepared: Prepared[], a: Args): Promise<[string, Seconds]> {
  const env = { ...process.env, OMP_THREAD_LIMIT: String(a.nativeThreads) };
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-ocr-'));
  try {
    const texts: string[] = [];
    const total: Seconds = { wall: 0, cpu: 0 };
    for (const [i, p] of prepared.entries()) {
      const img = path.join(dir, `r${i}.pgm`);
      await writeFile(img, p.img);
      const dpi = p.dpi ? ['--dpi', String(Math.round(p.dpi))] : [];
      const [out, s] = await runTimed('tesseract', [img, 'stdout', '-l', a.lang, ...dpi], env);
      texts.push(out);
      total.wall += s.wall;
      total.cpu += s.cpu;
    }
    return [asIndexed(texts), total];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function benchFile(file: string, a: Args, tools: { tesseract: boolean; poppler: boolean }): Promise<Row | undefined> {
  const isPdf = file.toLowerCase().endsWith('.pdf');
  const opts = { ...defaultExtractOptions, ocrLang: a.lang, ocrDataDir: a.ocrDataDir };
  // Each side runs --runs times and its fastest run counts, so one-off costs (a code path compiled on first use, the
  // engine's memory growing to the first large page) and a noisy neighbour do not decide the ratio.
  const prepared: Prepared[] = [];
  let runsDone = 0;
  observeRecognize((img, dpi) => {
    if (runsDone === 0) prepared.push({ img, dpi });
  });
  const [doc, docSeconds] = await fastest(a.runs, async () => {
    try {
      return await timed(() => extractFile(file, opts));
    } finally {
      runsDone++;
    }
  }).finally(() => observeRecognize(undefined));
  if (!doc.pagesOcr) return undefined; // a PDF with a text layer: nothing was OCRed
  // A PDF's text pages are not OCR work: their cost (a run with OCR off) is taken out.
  const ocrSeconds = isPdf ? minus(docSeconds, (await fastest(a.runs, () => timed(() => extractFile(file, { ...opts, ocr: false }))))[1]) : docSeconds;
  let pdfPages: number[] | undefined;
  if (isPdf) pdfPages = tools.poppler ? await imageOnlyPages(file, doc.pages ?? 0) : undefined;
  const onPages = (s: { loc: { page?: number } }) => !pdfPages || pdfPages.includes(s.loc.page ?? 0);
  const ours = doc.sections.filter(onPages).map((s) => s.text).join('\n');
  const pages = doc.pagesOcr;
  const truth = await truthFor(file, a);
  const canNative = a.native && tools.tesseract && (!isPdf || pdfPages);
  const native = canNative ? await fastest(a.runs, () => nativeOcr(file, pdfPages, a)) : undefined;
  const reference = truth ?? native?.[0];
  if (reference === undefined || !words(reference).length) {
    process.stderr.write(`${file}: ${reference === undefined ? 'no reference (no .txt beside it, no tesseract)' : 'blank page(s)'}: skipped\n`);
    return undefined;
  }
  const row: Row = {
    file: path.relative(a.dir, file) || path.basename(file),
    pages,
    reference: truth !== undefined ? 'truth' : 'native',
    refWords: words(reference).length,
    docproc: { recall: wordRecall(reference, ours), cer: cer(reference, ours), perPage: per(ocrSeconds, pages) },
  };
  if (native) {
    row.native = { perPage: per(native[1], pdfPages?.length ?? pages) };
    if (truth !== undefined) Object.assign(row.native, { recall: wordRecall(truth, native[0]), cer: cer(truth, native[0]) });
  }
  if (a.native && tools.tesseract && prepared.length) {
    const [text, s] = await fastest(a.runs, () => nativeOnPrepared(prepared, a));
    row.samePixels = { recall: wordRecall(reference, text), perPage: per(s, pages), readings: prepared.length };
  }
  return row;
}

/** A small page first, so start-up (OCR engines, compiling the image analysis) is not charged to the first file. */
async function warmUp(a: Args): Promise<void> {
  const { createCanvas } = await import('@napi-rs/canvas');
  // A full A4 page at 200 dpi, so the engine's memory has grown to page size before anything is timed.
  const c = createCanvas(1654, 2339);
  const g = c.getContext('2d');
  g.fillStyle = '#fff';
  g.fillRect(0, 0, 1654, 2339);
  g.fillStyle = '#000';
  g.font = '28px serif';
  for (let i = 0; i < 40; i++) g.fillText('Warming up the engine before the first page is timed.', 80, 100 + i * 55);
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-ocr-'));
  await writeFile(path.join(dir, 'w.png'), c.toBuffer('image/png'));
  await extractFile(path.join(dir, 'w.png'), { ...defaultExtractOptions, ocrLang: a.lang, ocrDataDir: a.ocrDataDir }).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}

const pct = (x?: number) => (x === undefined ? '' : `${(x * 100).toFixed(1)}%`);
const sec = (x?: number) => (x === undefined ? '' : x.toFixed(2));

function render(rows: Row[]): string {
  const head = ['file', 'pages', 'ref', 'words', 'recall', 'native recall', 'CER', 'native CER', 'CPU s/page', 'native CPU s/page', 'CPU ×',
    'same-pixels recall', 'same-pixels CPU s/page', 'CPU × same pixels', 'wall s/page', 'native wall s/page'];
  const ratio = (a: number, b?: number) => (b ? (a / b).toFixed(2) : '');
  const body = rows.map((r) => [
    r.file, String(r.pages), r.reference, String(r.refWords), pct(r.docproc.recall), pct(r.native?.recall), pct(r.docproc.cer),
    pct(r.native?.cer), sec(r.docproc.perPage.cpu), sec(r.native?.perPage.cpu), ratio(r.docproc.perPage.cpu, r.native?.perPage.cpu),
    pct(r.samePixels?.recall), sec(r.samePixels?.perPage.cpu), ratio(r.docproc.perPage.cpu, r.samePixels?.perPage.cpu),
    sec(r.docproc.perPage.wall), sec(r.native?.perPage.wall),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const tools = {
    tesseract: (await onPath('tesseract')) && existsSync('/usr/bin/time'),
    poppler: (await onPath('pdftotext')) && (await onPath('pdftoppm')),
  };
  if (a.native && !tools.tesseract) process.stderr.write('tesseract (or /usr/bin/time) not installed: references come from .txt files only\n');
  // The model a run would read with (the fast English one is fetched into the docproc home on first use).
  const home = process.env['DOCPROC_HOME'] ?? process.env['DOCPROC_TEST_HOME'] ?? path.resolve('.docproc-home');
  const config = loadConfig({ flags: { home, ocrLang: a.lang, ocrModel: a.ocrModel, ...(a.ocrDataDir ? { ocrDataDir: a.ocrDataDir } : {}) } });
  a.ocrDataDir = (await extractOptionsForRun(config, createLogger({ level: 'warn' }))).ocrDataDir;
  process.stderr.write(`OCR model: ${a.ocrDataDir ? `${a.ocrDataDir}` : 'bundled best_int'}\n`);
  await warmUp(a);
  const rows: Row[] = [];
  try {
    for (const f of await walk(a.dir)) {
      const row = await benchFile(f, a, tools).catch((e: unknown) => {
        process.stderr.write(`${f}: ${e instanceof Error ? e.message : String(e)}: skipped\n`);
        return undefined;
      });
      if (row) rows.push(row);
      if (row && !a.json) process.stderr.write(`${row.file}: recall ${pct(row.docproc.recall)}\n`);
    }
  } finally {
    await closeExtractors();
  }
  const tools_ = { tesseract: tools.tesseract, nativeThreads: a.nativeThreads };
  const goal = goalSummary(rows);
  process.stdout.write(a.json ? `${JSON.stringify({ dir: a.dir, tools: tools_, rows, goal }, null, 2)}\n` : `${render(rows)}\n\n${renderGoal(goal)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
