// Text agreement measures for the OCR and reading-order benchmarks: word recall, character error rate, word bigrams.

/** Words as compared: NFKC, lower case, punctuation at the edges dropped, words split at a line-end hyphen joined. */
export function words(s: string): string[] {
  return s
    .normalize('NFKC')
    .replace(/(\p{L})-\s*\n\s*(\p{L})/gu, '$1$2')
    .toLowerCase()
    .split(/\s+/)
    .map((w) => w.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''))
    .filter(Boolean);
}

function counts(ws: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const w of ws) m.set(w, (m.get(w) ?? 0) + 1);
  return m;
}

/** Share of the reference's words (with multiplicity) that the hypothesis also has. 1 when the reference is empty. */
export function wordRecall(reference: string, hypothesis: string): number {
  const ref = words(reference);
  if (!ref.length) return 1;
  const hyp = counts(words(hypothesis));
  let hit = 0;
  for (const [w, n] of counts(ref)) hit += Math.min(n, hyp.get(w) ?? 0);
  return hit / ref.length;
}

/** Character error rate: edit distance over the reference's length, both with whitespace collapsed. */
export function cer(reference: string, hypothesis: string): number {
  const a = reference.normalize('NFKC').replace(/\s+/g, ' ').trim();
  const b = hypothesis.normalize('NFKC').replace(/\s+/g, ' ').trim();
  if (!a.length) return b.length ? 1 : 0;
  return editDistance(a, b) / a.length;
}

/** Levenshtein distance in O(|a|·|b|) time and O(|b|) memory. */
export function editDistance(a: string, b: string): number {
  let prev = new Int32Array(b.length + 1).map((_, j) => j);
  let cur = new Int32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const sub = prev[j - 1]! + (ca === b.charCodeAt(j - 1) ? 0 : 1);
      cur[j] = Math.min(sub, prev[j]! + 1, cur[j - 1]! + 1);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

/**
 * Reading-order agreement: the share of the reference's adjacent word pairs that also occur in the hypothesis
 * (with multiplicity). Interleaved columns break pairs at every line; reading column by column keeps them.
 */
export function bigramAgreement(reference: string, hypothesis: string): number {
  const pairs = (s: string) => {
    const w = words(s);
    return w.slice(1).map((x, i) => `${w[i]} ${x}`);
  };
  const ref = pairs(reference);
  if (!ref.length) return 1;
  const hyp = counts(pairs(hypothesis));
  let hit = 0;
  for (const [p, n] of counts(ref)) hit += Math.min(n, hyp.get(p) ?? 0);
  return hit / ref.length;
}
