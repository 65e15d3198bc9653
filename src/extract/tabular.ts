// Rows of cells -> sections: header row applied to each row ("Team: Blues; Location: STL"), row numbers as loc.line.
import type { Loc, Section } from '../contracts/stages.js';
import type { CharBudget } from './normalize.js';

const SECTION_CHARS = 3000;

/** Heuristic: a header row is mostly non-empty, non-numeric labels. */
function isHeader(row: string[]): boolean {
  const cells = row.map((c) => c.trim());
  const filled = cells.filter(Boolean);
  if (filled.length < Math.max(1, cells.length * 0.5)) return false;
  return filled.every((c) => !/^[-+]?[\d.,%$€£ ]+$/.test(c) && c.length <= 80);
}

/** The header is the first of the first few non-empty rows with >= 2 labels (titles above a table are common). */
function findHeader(rows: string[][]): number {
  let seen = 0;
  for (let i = 0; i < rows.length - 1 && seen < 10; i++) {
    const filled = rows[i]!.filter((c) => c.trim()).length;
    if (!filled) continue;
    seen++;
    if (filled >= 2 && isHeader(rows[i]!)) return i;
  }
  return -1;
}

/**
 * `rows[i]` is row number `firstRow + i` (1-based, blank rows included so numbers stay true).
 * With a header, each later row reads `H1: v1; H2: v2`; without one, cells are joined by ` | `.
 */
export function rowsToSections(rows: string[][], base: Loc, budget: CharBudget, firstRow = 1): Section[] {
  const out: Section[] = [];
  const hIdx = findHeader(rows);
  const header = hIdx >= 0 ? rows[hIdx]!.map((c) => c.trim()) : undefined;
  let buf: string[] = [];
  let size = 0;
  let start = 0;
  const flush = () => {
    if (buf.length) out.push({ text: budget.take(buf.join('\n')), loc: { ...base, line: start } });
    buf = [];
    size = 0;
  };
  for (let i = 0; i < rows.length && !budget.exhausted; i++) {
    const row = rows[i]!;
    let line: string;
    if (header && i > hIdx) {
      const parts: string[] = [];
      row.forEach((v, j) => {
        const val = v.trim();
        if (!val) return;
        const h = header[j];
        parts.push(h ? `${h}: ${val}` : val);
      });
      line = parts.join('; ');
    } else {
      line = row.map((c) => c.trim()).join(' | ').replace(/( \| )+$/, '');
    }
    if (!line.replace(/[|\s]/g, '')) continue;
    if (!buf.length) start = firstRow + i;
    buf.push(line);
    size += line.length + 1;
    if (size >= SECTION_CHARS) flush();
  }
  flush();
  return out;
}
