// Documents for the search benchmark: SciFact abstracts varied per pass, cut by the real chunker, until N chunks exist.
import type { Chunk, TokenCounter } from '../../src/contracts/stages.js';
import type { DocumentInput } from '../../src/contracts/index-store.js';
import { Chunker } from '../../src/chunk/chunker.js';
import { sentencesOf, type Abstract } from '../bench-common/scifact.js';

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
