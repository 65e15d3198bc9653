// The OCR engine alone: tesseract.js (WebAssembly, as docproc runs it: page segmentation 3, the same model folder)
// against native tesseract on the identical image, CPU seconds each, steady state (each side's fastest of --runs).
// No page analysis, no enlargement, no turning: what is left is the cost of WebAssembly.
// usage: node dist/scripts/ocr-bench/engine.js <image.png|pgm|jpg> [--runs 4] [--model-dir DIR]
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createWorker } from 'tesseract.js';
import { runTimed } from './timed.js';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args.splice(i, 2)[1] : undefined;
  };
  const runs = Math.max(1, Number(opt('--runs') ?? 4) || 4);
  const modelDir = path.resolve(opt('--model-dir') ?? path.join(process.env['DOCPROC_HOME'] ?? '.docproc-home', 'ocr', 'tessdata-fast'));
  const image = args[0];
  if (!image || args.length > 1) throw new Error('usage: engine <image> [--runs 4] [--model-dir DIR with eng.traineddata]');
  const img = await readFile(image);
  const w = await createWorker('eng', 1, { langPath: modelDir, gzip: false, cacheMethod: 'none' }, { debug_file: '/dev/null' } as Record<string, string>);
  let wasm = Infinity;
  let words = 0;
  try {
    await w.setParameters({ tessedit_pageseg_mode: '3' as never });
    for (let i = 0; i < runs; i++) {
      const c0 = process.cpuUsage();
      const r = await w.recognize(img);
      const c = process.cpuUsage(c0);
      wasm = Math.min(wasm, (c.user + c.system) / 1e6);
      words = r.data.text.split(/\s+/).filter(Boolean).length;
    }
  } finally {
    await w.terminate();
  }
  let native = Infinity;
  let nativeWords = 0;
  const env = { ...process.env, OMP_THREAD_LIMIT: '1' };
  for (let i = 0; i < runs; i++) {
    const [out, s] = await runTimed('tesseract', [image, 'stdout', '--tessdata-dir', modelDir, '-l', 'eng'], env);
    native = Math.min(native, s.cpu);
    nativeWords = out.split(/\s+/).filter(Boolean).length;
  }
  process.stdout.write(
    `${path.basename(image)}: tesseract.js ${wasm.toFixed(2)} s (${words} words), native ${native.toFixed(2)} s (${nativeWords} words), ` +
      `ratio ${(wasm / native).toFixed(2)} (fastest of ${runs}, CPU seconds, one thread each)\n`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
