// SciFact for the benchmarks: abstracts read by path (never copied into the repo), query texts (the claims beside
// the corpus), and sentence splitting.
import fs from 'node:fs';
import path from 'node:path';

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

export const sentencesOf = (text: string): string[] => text.split(/(?<=[.!?])\s+(?=[A-Z0-9(\[])/).map((s) => s.trim()).filter(Boolean);
