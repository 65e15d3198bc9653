// bench:reading-order — docproc's PDF text against poppler's pdftotext (reading order, no -layout) for every PDF in
// a folder: word-bigram agreement (interleaved columns break bigrams at every line) and word recall; against the
// true text too where a `<name>.txt` exists under --truth-dir (pdftotext itself misorders some layouts).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { closeExtractors, defaultExtractOptions, extractFile } from '../src/extract/index.js';
import { bigramAgreement, wordRecall, words } from './ocr-bench/metrics.js';

const run = promisify(execFile);
const USAGE = 'usage: bench-reading-order <dir|file.pdf>... [--json] [--max-pages N] [--truth-dir DIR]';

interface Row { file: string; pages: number; words: number; bigrams: number; recall: number; truthBigrams?: number; pdftotextTruthBigrams?: number }

async function pdfs(p: string): Promise<string[]> {
  if (p.toLowerCase().endsWith('.pdf')) return [p];
  const out: string[] = [];
  for (const e of await readdir(p, { withFileTypes: true })) {
    const f = path.join(p, e.name);
    if (e.isDirectory()) out.push(...(await pdfs(f)));
    else if (e.name.toLowerCase().endsWith('.pdf')) out.push(f);
  }
  return out.sort();
}

async function benchFile(file: string, maxPages: number, truthDir?: string): Promise<Row | undefined> {
  const opts = { ...defaultExtractOptions, ocr: false, maxPages };
  const doc = await extractFile(file, opts);
  const ours = doc.sections.map((s) => s.text).join('\n');
  const { stdout } = await run('pdftotext', ['-l', String(maxPages), file, '-'], { maxBuffer: 256 << 20 });
  const n = words(stdout).length;
  if (n < 50) return undefined; // image-only or nearly empty: nothing to order
  const row: Row = { file, pages: Math.min(doc.pages ?? 0, maxPages), words: n, bigrams: bigramAgreement(stdout, ours), recall: wordRecall(stdout, ours) };
  const truthFile = truthDir && path.join(truthDir, `${path.basename(file)}.txt`);
  if (truthFile && existsSync(truthFile)) {
    const truth = await readFile(truthFile, 'utf8');
    row.truthBigrams = bigramAgreement(truth, ours);
    row.pdftotextTruthBigrams = bigramAgreement(truth, stdout);
  }
  return row;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const mi = args.indexOf('--max-pages');
  const maxPages = mi >= 0 ? Number(args[mi + 1]) : 50;
  const ti = args.indexOf('--truth-dir');
  const truthDir = ti >= 0 ? args[ti + 1] : undefined;
  const targets = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--max-pages' && args[i - 1] !== '--truth-dir');
  if (!targets.length) throw new Error(USAGE);
  const rows: Row[] = [];
  try {
    for (const t of targets) {
      for (const f of await pdfs(t)) {
        const row = await benchFile(f, maxPages, truthDir).catch(() => undefined);
        if (row) rows.push({ ...row, file: path.relative(process.cwd(), f) });
      }
    }
  } finally {
    await closeExtractors();
  }
  if (json) {
    process.stdout.write(`${JSON.stringify({ maxPages, rows }, null, 2)}\n`);
    return;
  }
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const opt = (x?: number) => (x === undefined ? '' : pct(x));
  const head = ['file', 'pages', 'words', 'bigram agreement', 'word recall', 'bigrams vs truth', 'pdftotext vs truth'];
  const body = rows.map((r) => [r.file, String(r.pages), String(r.words), pct(r.bigrams), pct(r.recall), opt(r.truthBigrams), opt(r.pdftotextTruthBigrams)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`;
  process.stdout.write([line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n') + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
