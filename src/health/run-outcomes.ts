// Runs by outcome and the last success, counted by the store's database: a long-lived watcher records a run
// per sync, and reading every run record on every scrape would grow without bound.
import type { IndexStore, RunSummary } from '../contracts/index-store.js';

export type RunOutcomes = RunSummary;

export function runOutcomes(store: IndexStore): Promise<RunOutcomes> {
  return store.runs.summary();
}
