// check:damaged — how docproc reads files cut short, as an interrupted download or copy leaves them: every file of a
// folder (PDFs and zip-based formats by default) cut to a share of its bytes, each extracted in process with OCR off,
// and counted as read with text, read with none, or failed (by reason). Nothing is written beside the files.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { closeExtractors, defaultExtractOptions, extractFile } from '../src/extract/index.js';

const USAGE = 'usage: check-damaged <dir> [--keep 0.6] [--ext .pdf,.docx,...] [--list]';
const DEFAULT_EXT = ['.pdf', '.docx', '.docm', '.xlsx', '.xlsm', '.pptx', '.pptm', '.odt', '.ods', '.odp', '.epub', '.zip', '.vsdx', '.xps'];

function parseArgs(argv: string[]) {
  const a = { dir: '', keep: 0.6, ext: DEFAULT_EXT, list: false };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i]!;
    if (x === '--keep') a.keep = Number(argv[++i]);
    else if (x === '--ext') a.ext = (argv[++i] ?? '').split(',').map((e) => e.toLowerCase());
    else if (x === '--list') a.list = true;
    else if (x.startsWith('--')) throw new Error(`unknown option ${x}\n${USAGE}`);
    else a.dir = x;
  }
  if (!a.dir || !(a.keep > 0 && a.keep < 1)) throw new Error(USAGE);
  return a;
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const files = (await readdir(a.dir, { withFileTypes: true })).filter((e) => e.isFile() && a.ext.includes(extname(e.name).toLowerCase())).map((e) => e.name).sort();
  const tmp = await mkdtemp(join(tmpdir(), 'check-damaged-'));
  const counts = new Map<string, number>();
  try {
    for (const name of files) {
      const bytes = await readFile(join(a.dir, name));
      const cut = join(tmp, name);
      await writeFile(cut, bytes.subarray(0, Math.floor(bytes.length * a.keep)));
      let outcome: string;
      try {
        const doc = await extractFile(cut, { ...defaultExtractOptions, ocr: false });
        const chars = doc.sections.reduce((n, s) => n + s.text.length, 0);
        const salvaged = doc.warnings.some((w) => w.startsWith('damaged '));
        outcome = `${chars ? 'text' : 'no text'}${salvaged ? ', salvaged' : ''}`;
        if (a.list) process.stdout.write(`${name}\t${outcome}\t${chars}\n`);
      } catch (e) {
        outcome = `failed: ${(e instanceof Error ? e.message : String(e)).split(':').slice(0, 2).join(':').slice(0, 60)}`;
        if (a.list) process.stdout.write(`${name}\t${outcome}\n`);
      }
      counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
    }
  } finally {
    await closeExtractors();
    await rm(tmp, { recursive: true, force: true });
  }
  process.stdout.write(`${files.length} files cut to ${Math.round(a.keep * 100)}%:\n`);
  for (const [k, n] of [...counts].sort((x, y) => y[1] - x[1])) process.stdout.write(`  ${String(n).padStart(4)}  ${k}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
