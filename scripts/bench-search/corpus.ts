// SciFact text for the search benchmark: abstracts read by path (never copied into the repo), queries (the
// claims beside the corpus), and documents varied per pass, cut by the real chunker, until N chunks exist.
import fs from 'node:fs';
import path from 'node:path';
import type { Chunk, TokenCounter } from '../../src/contracts/stages.js';
import type { DocumentInput } from '../../src/contracts/index-store.js';
import { Chunker } from '../../src/chunk/chunker.js';

export interface Abstract {
  id: string;
  title: string;
  text: string;
}

export function readAbstracts(file: string): Abstract[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => {
    const o = JSON.parse(l) as { _id: string | number; title?: string; text: string };
    return { id: String(o._id), title: o.title ?? '', text: o.text };
  }).filter((a) => a.text.trim());
}

/** `n` query texts spread evenly over SciFact's claims (queries.jsonl beside the corpus), else over titles. */
export function readQueries(corpusFile: string, n: number, abstracts: Abstract[], queryFile?: string): { source: string; texts: string[] } {
  const file = queryFile ?? path.join(path.dirname(corpusFile), 'queries.jsonl');
  const have = fs.existsSync(file);
  const all = have
    ? fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => (JSON.parse(l) as { text: string }).text)
    : abstracts.map((a) => a.title);
  const uniq = [...new Set(all.map((t) => t.trim()).filter(Boolean))];
  const step = Math.max(1, Math.floor(uniq.length / n));
  const texts: string[] = [];
  for (let i = 0; i < uniq.length && texts.length < n; i += step) texts.push(uniq[i]!);
  return { source: have ? file : `${corpusFile} (titles)`, texts };
}

const sentencesOf = (text: string): string[] => text.split(/(?<=[.!?])\s+(?=[A-Z0-9(\[])/).map((s) => s.trim()).filter(Boolean);

export interface SyntheticDoc {
  doc: DocumentInput;
  chunks: Chunk[];
}

/**
 * Pass 0 is every abstract as written; pass p > 0 rotates each abstract's sentences by p and appends two
 * sentences of another abstract, so every pass adds distinct texts with SciFact's vocabulary and term
 * statistics (a pure copy would make ties, and a filler text would make FTS5 and KNN unrealistically easy).
 */
export function* syntheticDocs(abstracts: Abstract[], counter: TokenCounter, chunkTokens: number, chunkOverlap: number, root = '/bench'): Generator<SyntheticDoc> {
  const chunker = new Chunker(counter, { chunkTokens, chunkOverlap });
  const n = abstracts.length;
  for (let pass = 0; ; pass++) {
    for (let i = 0; i < n; i++) {
      const a = abstracts[i]!;
      let body = a.text;
      if (pass > 0) {
        const s = sentencesOf(a.text);
        const k = pass % Math.max(1, s.length);
        const other = sentencesOf(abstracts[(i * 7 + pass * 977) % n]!.text);
        body = [...s.slice(k), ...s.slice(0, k), ...other.slice(pass % 3, pass % 3 + 2)].join(' ');
      }
      const text = `${a.title}\n${body}`;
      const relPath = `p${pass}/${a.id}.txt`;
      const chunks = chunker.chunk([{ text, loc: {} }]);
      yield {
        doc: {
          root, path: `${root}/${relPath}`, relPath, type: 'txt', sha256: `bench-${pass}-${a.id}`, size: text.length,
          mtimeMs: 1_700_000_000_000 + pass * 1000 + i, ino: pass * n + i + 1, status: 'indexed', fingerprint: 'bench',
          charCount: text.length,
        },
        chunks,
      };
    }
  }
}
