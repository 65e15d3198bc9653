// SciFact text for the store benchmark: abstracts read by path (never copied into the repo), abstracts
// written as .txt files for the pipeline runs, and synthetic chunked documents (sentence windows, varied per
// pass) to reach N chunks for the search benchmark.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Chunk } from '../../src/contracts/stages.js';
import type { DocumentInput } from '../../src/contracts/index-store.js';

export interface Abstract {
  id: string;
  title: string;
  text: string;
}

export function readAbstracts(file: string): Abstract[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => {
    const o = JSON.parse(l) as { _id: string; title?: string; text: string };
    return { id: String(o._id), title: o.title ?? '', text: o.text };
  });
}

/** The first `n` abstracts as `<id>.txt` (title, newline, text, as BEIR evaluates them). Returns the count. */
export function writeAbstracts(abstracts: Abstract[], n: number, dir: string): number {
  fs.mkdirSync(dir, { recursive: true });
  const some = abstracts.filter((a) => a.text.trim()).slice(0, n);
  for (const a of some) fs.writeFileSync(path.join(dir, `${a.id.replace(/[^\w.-]/g, '_')}.txt`), `${a.title}\n${a.text}`);
  return some.length;
}

/**
 * Query texts: SciFact's claims (queries.jsonl beside the corpus) when present, else abstract titles, taken
 * evenly across the file so they are not all from one topic.
 */
export function readQueryTexts(corpusFile: string, n: number, abstracts: Abstract[], queryFile?: string): { source: string; texts: string[] } {
  const file = queryFile ?? path.join(path.dirname(corpusFile), 'queries.jsonl');
  const all = fs.existsSync(file)
    ? fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => (JSON.parse(l) as { text: string }).text)
    : abstracts.map((a) => a.title).filter(Boolean);
  const uniq = [...new Set(all.map((t) => t.trim()).filter(Boolean))];
  const step = Math.max(1, Math.floor(uniq.length / n));
  const texts: string[] = [];
  for (let i = 0; i < uniq.length && texts.length < n; i += step) texts.push(uniq[i]!);
  return { source: fs.existsSync(file) ? file : `${corpusFile} (titles)`, texts };
}

const sentencesOf = (text: string): string[] => text.split(/(?<=[.!?])\s+(?=[A-Z0-9(\[])/).map((s) => s.trim()).filter(Boolean);

export interface SyntheticDoc {
  doc: DocumentInput;
  chunks: Chunk[];
}

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Bumped whenever syntheticDocs makes different chunks: a kept index built by another version is rebuilt. */
export const SYNTHETIC_VERSION = 2;

/** Sentence windows as (size, offset): every distinct way to cut an abstract into 1-4 sentence windows. */
const WINDOWINGS: [number, number][] = [[1, 0], [2, 0], [3, 0], [4, 0], [2, 1], [3, 1], [4, 1], [3, 2], [4, 2], [4, 3]];

/**
 * Pass p cuts every abstract with windowing p % 10; from the 11th pass on, every k-th word is dropped too. A
 * chunk text seen before (windows of different cuts can coincide) drops every k-th word for a growing k until
 * it is new, or is left out: no two chunks share a text, so no two vectors tie in the ground truth. Each
 * (abstract, pass) is one document; its first chunk carries the title. Yields until `total` chunks are made.
 */
export function* syntheticDocs(abstracts: Abstract[], total: number, countTokens: (t: string) => number): Generator<SyntheticDoc> {
  const split = abstracts.map((a) => ({ a, sentences: sentencesOf(a.text) })).filter((x) => x.sentences.length);
  const seen = new Set<string>();
  const dropEvery = (t: string, k: number): string => (k ? t.split(' ').filter((_, j) => (j + 1) % k !== 0).join(' ') : t);
  const unique = (t: string): string | undefined => {
    for (const k of [0, 7, 8, 9, 10, 11, 12, 13]) {
      const v = dropEvery(t, k);
      const h = sha(v);
      if (!seen.has(h)) {
        seen.add(h);
        return v;
      }
    }
    return undefined;
  };
  let made = 0;
  let ino = 0;
  for (let pass = 0; made < total; pass++) {
    const before = made;
    const [size, offset] = WINDOWINGS[pass % WINDOWINGS.length]!;
    const drop = pass >= WINDOWINGS.length ? 3 + (Math.floor(pass / WINDOWINGS.length) % 4) : 0;
    for (const { a, sentences } of split) {
      if (made >= total) return;
      const windows: string[] = [];
      if (offset) windows.push(sentences.slice(0, offset).join(' '));
      for (let i = offset; i < sentences.length; i += size) windows.push(sentences.slice(i, i + size).join(' '));
      const texts = windows
        .map((w, i) => unique(dropEvery(i === 0 ? `${a.title}\n${w}` : w, drop)))
        .filter((t): t is string => t !== undefined)
        .slice(0, total - made);
      if (!texts.length) continue;
      const chunks: Chunk[] = texts.map((text, seq) => ({ seq, text, tokens: countTokens(text), loc: { line: seq + 1 }, sha256: sha(text) }));
      const body = texts.join('\n');
      const rel = `p${pass}/${a.id}.txt`;
      yield {
        doc: {
          root: '/bench-stores', path: `/bench-stores/${rel}`, relPath: rel, type: 'txt', sha256: sha(body), size: Buffer.byteLength(body),
          mtimeMs: 1_700_000_000_000, ino: ++ino, status: 'indexed', charCount: body.length, fingerprint: 'bench-stores', attempts: 0,
        },
        chunks,
      };
      made += chunks.length;
    }
    if (made === before) throw new Error(`the corpus yields only ${made} distinct chunks, fewer than ${total}`);
  }
}
