// Writes rotated copies of the fixture scans (PNG, with their ground truth as <name>.txt beside) for bench:ocr:
// node dist/scripts/make-ocr-rotations.js <out-dir> [--angles 5,10,15,-10,90,180,270]
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCanvas, loadImage, type Canvas } from '@napi-rs/canvas';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SOURCES = ['garden-rules.jpg', 'scanned-notice.pdf'];

/** Rotates clockwise by `deg` onto a white canvas large enough to hold the whole page. */
export function rotateCanvas(src: Canvas, deg: number): Canvas {
  const r = (deg * Math.PI) / 180;
  const w = Math.ceil(Math.abs(src.width * Math.cos(r)) + Math.abs(src.height * Math.sin(r)));
  const h = Math.ceil(Math.abs(src.width * Math.sin(r)) + Math.abs(src.height * Math.cos(r)));
  const out = createCanvas(w, h);
  const g = out.getContext('2d');
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, w, h);
  g.translate(w / 2, h / 2);
  g.rotate(r);
  g.drawImage(src, -src.width / 2, -src.height / 2);
  return out;
}

async function pageImage(file: string): Promise<Canvas> {
  if (!file.endsWith('.pdf')) {
    const img = await loadImage(await readFile(file));
    const c = createCanvas(img.width, img.height);
    c.getContext('2d').drawImage(img, 0, 0);
    return c;
  }
  const require = createRequire(import.meta.url);
  const dir = path.dirname(require.resolve('pdfjs-dist/package.json'));
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(await readFile(file)), isEvalSupported: false, standardFontDataUrl: path.join(dir, 'standard_fonts') + path.sep, wasmUrl: path.join(dir, 'wasm') + path.sep }).promise;
  const page = await doc.getPage(1);
  const vp = page.getViewport({ scale: 200 / 72 });
  const c = createCanvas(Math.ceil(vp.width), Math.ceil(vp.height));
  const g = c.getContext('2d');
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, c.width, c.height);
  await page.render({ canvas: c as unknown as HTMLCanvasElement, canvasContext: g as unknown as CanvasRenderingContext2D, viewport: vp }).promise;
  await doc.destroy();
  return c;
}

async function main(): Promise<void> {
  const usage = 'usage: make-ocr-rotations <out-dir> [--angles 5,10,15,90,180]';
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const ai = args.indexOf('--angles');
  // Anything else that looks like an option is a mistake, not an output folder.
  const positional = args.filter((_, i) => ai < 0 || (i !== ai && i !== ai + 1));
  const unknown = positional.find((a) => a.startsWith('-'));
  if (unknown) throw new Error(`unknown option ${unknown}\n${usage}`);
  const out = positional[0];
  const angles = (ai >= 0 ? args[ai + 1] ?? '' : '5,10,15,-10,90,180,270').split(',').map(Number);
  if (!out || positional.length > 1 || angles.some((a) => !Number.isFinite(a))) throw new Error(usage);
  await mkdir(out, { recursive: true });
  for (const name of SOURCES) {
    const src = await pageImage(path.join(ROOT, 'fixtures/docs', name));
    const truth = await readFile(path.join(ROOT, 'test/data/ocr-truth', `${name}.txt`), 'utf8');
    const stem = name.replace(/\.\w+$/, '');
    for (const a of angles) {
      const file = path.join(out, `${stem}-rot${a}.png`);
      await writeFile(file, rotateCanvas(src, a).toBuffer('image/png'));
      await writeFile(`${file}.txt`, truth);
    }
  }
  process.stdout.write(`rotated copies of ${SOURCES.join(', ')} at ${angles.join(', ')}° written to ${out}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
