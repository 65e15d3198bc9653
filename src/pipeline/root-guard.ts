// Prune safety: a root that looks unmounted, or that lost most of its documents at once, removes nothing.

/** Below this many indexed documents a root is not held to the prune ratio: emptying a small folder is normal. */
export const PRUNE_RATIO_MIN_DOCUMENTS = 10;

export interface RootGuardInput {
  root: string;
  /** Files found under the root this run. */
  found: number;
  /** Documents the index holds under the root. */
  known: number;
  /** Of those, the ones this run would remove. */
  missing: number;
}

export interface RootGuardOptions {
  allowEmptyRoot: boolean;
  /** Largest share of a root's documents one run may remove (0..1). */
  maxPruneRatio: number;
}

/** Why this root's deletions must not be applied, or null when pruning it is safe. */
export function rootGuardReason(r: RootGuardInput, o: RootGuardOptions): string | null {
  if (r.known === 0 || r.missing === 0) return null;
  if (r.found === 0) {
    if (o.allowEmptyRoot) return null;
    return `root-empty: ${r.root} yielded no files but the index holds ${r.known} document(s) under it ` +
      '(an unmounted share?); nothing was removed. Pass --allow-empty-root if it really is empty now';
  }
  const ratio = r.missing / r.known;
  if (r.known >= PRUNE_RATIO_MIN_DOCUMENTS && ratio > o.maxPruneRatio) {
    return `prune-limit: ${r.missing} of ${r.known} documents under ${r.root} (${Math.round(ratio * 100)}%) are gone, ` +
      `more than --max-prune-ratio ${o.maxPruneRatio}; nothing was removed. Re-run with --max-prune-ratio 1 if that is intended`;
  }
  return null;
}
