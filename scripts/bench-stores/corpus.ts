// SciFact text for the store benchmark: abstracts written as .txt files for the pipeline runs, and synthetic
// chunked documents (sentence windows, varied per pass) to reach N chunks for the search benchmark.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Chunk } from '../../src/contracts/stages.js';
import type { DocumentInput } from '../../src/contracts/index-store.js';
import { sentencesOf, type Abstract } from '../bench-common/scifact.js';

/** The stand-in embedder's stop words for this benchmark, as its kept indexes were built. */
export const STORES_STOPWORDS: ReadonlySet<string> = new Set(('a an and are as at be by for from has have in is it its of on or that the this to was were with we ' +
  'our not but than these those which who whom been being can could may might also into between after before').split(' '));

/** The first `n` abstracts as `<id>.txt` (title, newline, text, as BEIR evaluates them). Returns the count. */
export function writeAbstracts(abstracts: Abstract[], n: number, dir: string): number {
  fs.mkdirSync(dir, { recursive: true });
  const some = abstracts.filter((a) => a.text.trim()).slice(0, n);
  for (const a of some) fs.writeFileSync(path.join(dir, `${a.id.replace(/[^\w.-]/g, '_')}.txt`), `${a.title}\n${a.text}`);
  return some.length;
}

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
