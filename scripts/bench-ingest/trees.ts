// Input trees for bench:ingest: N small, distinct text files, or the first N abstracts of a BEIR corpus (read by
// path, written to a temp folder, never into the repository).
import fs from 'node:fs';
import path from 'node:path';

const WORDS = ('river mountain sensor temperature report quarterly revenue customer support ticket network latency ' +
  'invoice contract renewal budget forecast audit policy incident backup storage migration schedule').split(' ');

/**
 * `n` text files of a few sentences each, 100 to a folder, every one different (no run-level dedup); `first`
 * numbers them on from another call's files.
 */
export function writeSynthetic(dir: string, n: number, first = 0): number {
  let s = 7 + first;
  const rnd = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (let i = first; i < first + n; i++) {
    const folder = path.join(dir, `d${String(Math.floor((i - first) / 100)).padStart(4, '0')}`);
    if ((i - first) % 100 === 0) fs.mkdirSync(folder, { recursive: true });
    const words = Array.from({ length: 30 + Math.floor(rnd() * 30) }, () => WORDS[Math.floor(rnd() * WORDS.length)]!);
    fs.writeFileSync(path.join(folder, `note-${i}.txt`), `Note ${i}. ${words.join(' ')}.\n`);
  }
  return n;
}

/** The first `limit` abstracts of a BEIR corpus.jsonl as `<id>.txt` (title, newline, text). */
export function writeBeir(corpus: string, dir: string, limit: number): number {
  fs.mkdirSync(dir, { recursive: true });
  let n = 0;
  for (const line of fs.readFileSync(corpus, 'utf8').split('\n')) {
    if (n >= limit) break;
    if (!line.trim()) continue;
    const d = JSON.parse(line) as { _id: string | number; title?: string; text?: string };
    if (!d.text?.trim()) continue;
    fs.writeFileSync(path.join(dir, `${String(d._id).replace(/[^\w.-]/g, '_')}.txt`), `${d.title ?? ''}\n${d.text}`);
    n++;
  }
  return n;
}
