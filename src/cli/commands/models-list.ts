// `docproc models list`: the registry's models and which are cached.
import Table from 'cli-table3';
import { createContext, type GlobalFlags } from '../context.js';
import { writeJson, writeLine, tableStyle } from '../output.js';
import { listKnownModels, listCachedModels, DEFAULT_MODEL } from '../../embed/index.js';
import { cachedFastEnglish } from '../../extract/ocr-model.js';

export async function run(flags: GlobalFlags): Promise<void> {
  const { config } = createContext(flags);
  const cached = new Map(listCachedModels(config.home).map((m) => [m.name, m]));
  const rows = listKnownModels().map((e) => ({
    name: e.name,
    default: e.name === DEFAULT_MODEL,
    configured: e.name === config.model || e.aliases.includes(config.model),
    dims: e.dims,
    pooling: e.pooling,
    maxTokens: e.maxTokens,
    quantized: e.quantized,
    sources: [e.hf ? 'hf' : null, e.maven ? 'maven' : null].filter(Boolean),
    sha256: e.sha256 ?? cached.get(e.name)?.sha256 ?? null,
    cached: cached.has(e.name),
    cachePath: cached.get(e.name)?.path ?? null,
    description: e.description,
  }));
  if (config.json) return writeJson(rows);
  const t = new Table({ head: ['name', 'dims', 'pooling', 'max tokens', 'sources', 'cached', ''], style: tableStyle() });
  for (const r of rows) t.push([r.name, r.dims, r.pooling, r.maxTokens, r.sources.join(','), r.cached ? 'yes' : 'no', r.configured ? '(configured)' : r.default ? '(default)' : '']);
  writeLine(t.toString());
  const ocr = cachedFastEnglish(config.home);
  writeLine(ocr ? `OCR, English: tesseract's fast model, cached in ${ocr}` : "OCR, English: tesseract's fast model is not cached yet (fetched by the first run that reads files, or now by docproc models pull)");
}
