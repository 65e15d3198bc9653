// Presents search hits: the stable --json shape and the cli-table3 table (ANSI bold only on a TTY).
import Table from 'cli-table3';
import type { Loc } from '../contracts/stages.js';
import type { SearchHit } from '../search/index.js';
import { displayPath } from './output.js';

/** The documented --json record. `chunk` is the chunk's sequence number inside its document. */
export interface SearchHitJson {
  rank: number;
  score: number;
  similarity?: number;
  path: string;
  chunk: number;
  text: string;
  location: Loc;
  type: string | null;
  snippet: string;
  highlights: [number, number][];
  explain?: SearchHit['explain'];
}

export function toSearchJson(hits: SearchHit[], opts: { explain?: boolean; cwd?: string } = {}): SearchHitJson[] {
  return hits.map((h) => ({
    rank: h.rank, score: round(h.score), ...(h.similarity !== undefined ? { similarity: round(h.similarity) } : {}),
    path: displayPath(h.path, opts.cwd), chunk: h.seq, text: h.text,
    location: h.location, type: h.type, snippet: h.snippet, highlights: h.highlights,
    ...(opts.explain && h.explain ? { explain: h.explain } : {}),
  }));
}

export function formatLocation(loc: Loc): string {
  const parts: string[] = [];
  if (loc.page !== undefined) parts.push(`p. ${loc.page}`);
  if (loc.sheet !== undefined) parts.push(`sheet ${loc.sheet}`);
  if (loc.slide !== undefined) parts.push(`slide ${loc.slide}`);
  if (loc.line !== undefined) parts.push(`line ${loc.line}`);
  if (loc.heading) parts.push(loc.heading.length > 40 ? loc.heading.slice(0, 39) + '…' : loc.heading);
  return parts.join(' · ');
}

/** Wraps highlight ranges in ANSI bold; without colour the snippet is returned as is. */
export function highlight(snippet: string, ranges: [number, number][], color: boolean): string {
  if (!color || !ranges.length) return snippet;
  let out = '';
  let at = 0;
  for (const [s, e] of [...ranges].sort((a, b) => a[0] - b[0])) {
    if (s < at) continue;
    out += snippet.slice(at, s) + '\x1b[1m' + snippet.slice(s, e) + '\x1b[22m';
    at = e;
  }
  return out + snippet.slice(at);
}

const round = (x: number): number => Math.round(x * 1e6) / 1e6;
const fmt = (x: number | undefined, digits = 3): string => (x === undefined ? '-' : x.toFixed(digits));

export function renderSearchTable(hits: SearchHit[], opts: { explain?: boolean; color: boolean; width?: number; cwd?: string }): string {
  const head = ['#', 'score', 'path', 'location', ...(opts.explain ? ['keyword', 'vector', 'fused'] : []), 'snippet'];
  const width = Math.max(80, opts.width ?? 120);
  const pathWidth = Math.min(40, Math.floor(width * 0.25));
  const fixed = 4 + 8 + pathWidth + 16 + (opts.explain ? 3 * 16 : 0) + 3 * head.length;
  const t = new Table({
    head, wordWrap: true, wrapOnWordBoundary: true,
    colWidths: [4, 8, pathWidth, 16, ...(opts.explain ? [16, 16, 10] : []), Math.max(30, width - fixed)],
    style: { head: opts.color ? ['bold'] : [], border: opts.color ? ['grey'] : [] },
  });
  for (const h of hits) {
    const e = h.explain;
    const side = (rank: number | undefined, score: number | undefined): string => (rank === undefined ? '-' : `#${rank} ${fmt(score)}`);
    t.push([
      h.rank, fmt(h.score), keepEnd(displayPath(h.path, opts.cwd), pathWidth - 2), formatLocation(h.location),
      ...(opts.explain ? [side(e?.keywordRank, e?.keywordScore), side(e?.vectorRank, e?.vectorScore), fmt(e?.fused, 4)] : []),
      highlight(h.snippet, h.highlights, opts.color),
    ]);
  }
  return t.toString();
}

/** A long path keeps its end: the file name says more than the folders above it. */
function keepEnd(text: string, width: number): string {
  return text.length <= width ? text : '…' + text.slice(text.length - width + 1);
}
