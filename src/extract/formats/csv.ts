// CSV/TSV: encoding + delimiter detection, RFC 4180 quoting, header applied to rows, loc.line = row number.
import { register } from '../registry.js';
import { readTextStream } from './text.js';
import { rowsToSections } from '../tabular.js';

const CANDIDATES = [',', ';', '\t', '|'];

/** Parses delimited text; quoted fields may hold delimiters, doubled quotes and newlines. */
export function parseDelimited(text: string, delim: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (c === delim) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Picks the candidate that splits the first lines into the most consistent, non-trivial column count. */
export function detectDelimiter(text: string, fallback: string): string {
  const sample = text.slice(0, 64 * 1024);
  let best = fallback;
  let bestScore = 0;
  for (const d of CANDIDATES) {
    const rows = parseDelimited(sample, d).slice(0, 30).filter((r) => r.join('').trim());
    if (rows.length > 1 && sample.length >= 64 * 1024) rows.pop(); // the cut-off last row
    if (!rows.length) continue;
    const counts = rows.map((r) => r.length);
    const mode = [...counts].sort((a, b) => counts.filter((x) => x === b).length - counts.filter((x) => x === a).length)[0]!;
    if (mode < 2) continue;
    const consistency = counts.filter((x) => x === mode).length / counts.length;
    const score = consistency * 10 + Math.min(mode, 10) / 10;
    if (score > bestScore) {
      bestScore = score;
      best = d;
    }
  }
  return best;
}

register(['csv', 'tsv'], {
  version: '3',
  async extract(ctx) {
    const text = await readTextStream(ctx);
    const delim = detectDelimiter(text, ctx.type === 'tsv' ? '\t' : ',');
    return { sections: rowsToSections(parseDelimited(text, delim), {}, ctx.budget) };
  },
});
