// check:corpus — extracts every file of a folder through ExtractPool and reports statuses, snippets found and memory.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { FileError } from '../src/errors.js';
// options.js, not index.js: the parent must not load the extractors (pdfjs, tesseract) it delegates to children.
import { defaultExtractOptions } from '../src/extract/options.js';
import { ExtractPool } from '../src/extract/pool.js';

interface Row {
  file: string;
  status: string;
  reason: string;
  type: string;
  chars: number;
  pages?: number;
  pagesOcr?: number;
  ms: number;
  peakRssMB: number;
  warnings: string[];
}
interface Snippet { file: string; snippet: string; source: string; mode: string; found: boolean }

const USAGE = 'usage: check-corpus <dir> [--json] [--size N] [--timeout-ms N] [--max-memory-mb N] [--no-ocr]';

function parseArgs(argv: string[]) {
  const a = { dir: '', json: false, size: undefined as number | undefined, timeoutMs: 120_000, maxMemoryMB: 1024, ocr: true };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i]!;
    const num = () => {
      const n = Number(argv[++i]);
      if (!Number.isFinite(n) || n <= 0) throw new Error(`${x} needs a positive number`);
      return n;
    };
    if (x === '--json') a.json = true;
    else if (x === '--no-ocr') a.ocr = false;
    else if (x === '--size') a.size = num();
    else if (x === '--timeout-ms') a.timeoutMs = num();
    else if (x === '--max-memory-mb') a.maxMemoryMB = num();
    else if (x.startsWith('--')) throw new Error(`unknown option ${x}`);
    else a.dir = x;
  }
  if (!a.dir) throw new Error('missing <dir>');
  return a;
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.isFile()) out.push(p);
  }
  return out.sort();
}

/** The corpus's comparison rule: NFKC, line-break hyphenation joined ("exam-\nple" → "example"), whitespace collapsed. */
export function normaliseForMatch(s: string): string {
  return s
    .normalize('NFKC')
    .replace(/\u00ad/g, '')
    .replace(/(\p{L})-[ \t]*\r?\n\s*(\p{L})/gu, '$1$2')
    .replace(/\s+/g, ' ')
    .trim();
}

function parseTsv(text: string): Omit<Snippet, 'found'>[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const head = (lines.shift() ?? '').split('\t');
  const col = (name: string) => head.indexOf(name);
  const [f, s, src, m] = [col('file'), col('snippet'), col('source'), col('mode')];
  if (f < 0 || s < 0) throw new Error('expected_snippets.tsv needs columns file and snippet');
  return lines.map((l) => {
    const c = l.split('\t');
    return { file: c[f] ?? '', snippet: c[s] ?? '', source: src >= 0 ? (c[src] ?? '') : '', mode: m >= 0 ? (c[m] ?? '') : '' };
  });
}

function table(rows: Row[]): string {
  const head = ['file', 'status', 'reason', 'type', 'chars', 'ocr', 'ms', 'rssMB'];
  const cells = rows.map((r) => [r.file, r.status, r.reason.slice(0, 60), r.type, String(r.chars),
    r.pagesOcr ? `${r.pagesOcr}/${r.pages ?? '?'}` : '', String(r.ms), String(Math.round(r.peakRssMB))]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => (i >= 4 ? x.padStart(widths[i]!) : x.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

async function main(): Promise<void> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  const started = Date.now();
  const files = await walk(args.dir);
  const pool = new ExtractPool({
    size: args.size,
    timeoutMs: args.timeoutMs,
    maxMemoryMB: args.maxMemoryMB,
    extractOptions: { ...defaultExtractOptions, ocr: args.ocr },
  });
  const texts = new Map<string, string>();
  let rows: Row[];
  try {
    rows = await Promise.all(files.map(async (abs): Promise<Row> => {
      const file = relative(args.dir, abs).split(sep).join('/');
      const out = await pool.extractWithStats(abs);
      const base = { file, ms: out.ms, peakRssMB: out.peakRssMB };
      if (!out.ok) {
        const fe = out.error instanceof FileError ? out.error : undefined;
        return { ...base, status: fe?.status ?? 'failed', reason: out.error.message, type: '', chars: 0, warnings: [] };
      }
      const text = out.doc.sections.map((s) => s.text).join('\n');
      texts.set(file, text);
      const empty = text.trim() === '';
      return { ...base, status: empty ? 'empty' : 'indexed', reason: empty ? out.doc.warnings.join('; ') : '', type: out.doc.type,
        chars: text.length, pages: out.doc.pages, pagesOcr: out.doc.pagesOcr, warnings: out.doc.warnings };
    }));
  } finally {
    await pool.close();
  }

  let snippets: Snippet[] = [];
  const tsv = await readFile(join(args.dir, 'expected_snippets.tsv'), 'utf8').catch(() => undefined);
  if (tsv !== undefined) {
    snippets = parseTsv(tsv).map((s) => ({ ...s, found: normaliseForMatch(texts.get(s.file) ?? '').includes(normaliseForMatch(s.snippet)) }));
  }

  const byStatus: Record<string, number> = {};
  for (const r of rows) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  const ownPeakMB = process.resourceUsage().maxRSS / 1024; // maxRSS is in kB
  const totals = {
    files: rows.length,
    byStatus,
    snippetsFound: snippets.filter((s) => s.found).length,
    snippets: snippets.length,
    pagesOcr: rows.reduce((n, r) => n + (r.pagesOcr ?? 0), 0),
    wallMs: Date.now() - started,
    ownPeakRssMB: Math.round(ownPeakMB),
    maxChildRssMB: Math.round(pool.peakChildRssMB),
    peakMemoryMB: Math.round(ownPeakMB + pool.peakChildRssMB),
  };

  if (args.json) {
    process.stdout.write(`${JSON.stringify({ files: rows, snippets, totals }, null, 2)}\n`);
    return;
  }
  const out: string[] = [table(rows), ''];
  if (snippets.length) {
    out.push('expected snippets:');
    for (const s of snippets) out.push(`  ${s.found ? 'found  ' : 'MISSING'}  [${s.mode || '-'}] ${s.file}: ${s.snippet.slice(0, 70)}`);
    out.push('');
  }
  const statuses = Object.entries(byStatus).map(([k, v]) => `${k} ${v}`).join(', ');
  out.push(`totals: ${totals.files} files (${statuses}); snippets ${totals.snippetsFound}/${totals.snippets} found; ` +
    `${totals.pagesOcr} pages OCR'd; ${(totals.wallMs / 1000).toFixed(1)}s; peak memory ${totals.peakMemoryMB} MB ` +
    `(own ${totals.ownPeakRssMB} MB + max child ${totals.maxChildRssMB} MB)`);
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`check-corpus: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
