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

/**
 * Pass p splits every abstract into windows of 1-4 sentences (size and offset change with p); from the 17th
 * pass on, every k-th word is dropped too. Each (abstract, pass) is one document; its first chunk carries the
 * title. Yields documents until exactly `total` chunks have been produced.
 */
export function* syntheticDocs(abstracts: Abstract[], total: number, countTokens: (t: string) => number): Generator<SyntheticDoc> {
  const split = abstracts.map((a) => ({ a, sentences: sentencesOf(a.text) })).filter((x) => x.sentences.length);
  let made = 0;
  let ino = 0;
  for (let pass = 0; made < total; pass++) {
    const size = 1 + (pass % 4);
    const offset = Math.floor(pass / 4) % size;
    const drop = pass >= 16 ? 5 + (pass % 7) : 0;
    for (const { a, sentences } of split) {
      if (made >= total) return;
      const windows: string[] = [];
      if (offset) windows.push(sentences.slice(0, offset).join(' '));
      for (let i = offset; i < sentences.length; i += size) windows.push(sentences.slice(i, i + size).join(' '));
      const texts = windows.map((w, i) => {
        const t = i === 0 ? `${a.title}\n${w}` : w;
        return drop ? t.split(' ').filter((_, j) => (j + 1) % drop !== 0).join(' ') : t;
      }).slice(0, total - made);
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
  }
}
