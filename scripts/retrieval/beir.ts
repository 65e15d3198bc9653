// Reads a BEIR collection (corpus.jsonl, queries.jsonl, qrels .tsv) and writes the corpus as .txt files.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const CorpusLine = z.object({ _id: z.string(), title: z.string().default(''), text: z.string() });
const QueryLine = z.object({ _id: z.string(), text: z.string() });

export interface BeirQuery {
  id: string;
  text: string;
}

function readJsonl<T>(file: string, schema: z.ZodType<T>): T[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      const r = schema.safeParse(JSON.parse(l));
      if (!r.success) throw new Error(`${file}:${i + 1}: ${r.error.issues[0]?.message}`);
      return r.data;
    });
}

/** query id -> (corpus id -> grade); the header line is skipped. */
export function readQrels(file: string): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(1)) {
    const [q, d, s] = line.trim().split('\t');
    if (!q || !d) continue;
    let m = out.get(q);
    if (!m) out.set(q, (m = new Map()));
    m.set(d, Number(s ?? 1));
  }
  return out;
}

export function readQueries(file: string): BeirQuery[] {
  return readJsonl(file, QueryLine).map((q) => ({ id: q._id, text: q.text }));
}

/** One `<id>.txt` per document, `title + "\n" + text` as BEIR evaluates it. Returns the count. */
export function writeCorpus(corpusFile: string, dir: string): number {
  const docs = readJsonl(corpusFile, CorpusLine);
  fs.mkdirSync(dir, { recursive: true });
  for (const d of docs) {
    if (!/^[\w.-]+$/.test(d._id)) throw new Error(`corpus id not usable as a file name: ${d._id}`);
    fs.writeFileSync(path.join(dir, `${d._id}.txt`), `${d.title}\n${d.text}`);
  }
  return docs.length;
}

/** Maps a document's path back to its corpus id. */
export const corpusIdOf = (p: string): string => path.basename(p, '.txt');
