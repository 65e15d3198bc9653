// Where a bench:ocr run stands against issue 11's goal: word recall at least native tesseract's, at no more than 1.5×
// its CPU time per page. Recall can be compared only where a true text is given (against native's own reading, native
// scores 100% by definition); time wherever native ran.
export const GOAL_CPU_RATIO = 1.5;

export interface GoalRow {
  file: string;
  docproc: { recall: number; perPage: { cpu: number } };
  native?: { recall?: number; perPage: { cpu: number } };
}

export interface GoalSummary {
  /** Files with a true text and native's reading of it: how many docproc reads at least as much of. */
  recall: { compared: number; atLeastNative: number; below: { file: string; recall: number; native: number }[] };
  /** Files native ran on: how many docproc reads within GOAL_CPU_RATIO × native's CPU time per page. */
  time: { compared: number; within: number; over: { file: string; ratio: number; readsMore: boolean }[] };
}

export function goalSummary(rows: GoalRow[]): GoalSummary {
  const s: GoalSummary = { recall: { compared: 0, atLeastNative: 0, below: [] }, time: { compared: 0, within: 0, over: [] } };
  for (const r of rows) {
    const native = r.native?.recall;
    if (native !== undefined) {
      s.recall.compared++;
      // Recall is a share of the reference's words: equal readings can differ in the last digit of a float sum.
      if (r.docproc.recall >= native - 1e-9) s.recall.atLeastNative++;
      else s.recall.below.push({ file: r.file, recall: r.docproc.recall, native });
    }
    const nativeCpu = r.native?.perPage.cpu;
    if (nativeCpu) {
      s.time.compared++;
      // Judged as the table shows it, to two decimals: timings on a shared machine hold no more.
      const ratio = Math.round((100 * r.docproc.perPage.cpu) / nativeCpu) / 100;
      if (ratio <= GOAL_CPU_RATIO) s.time.within++;
      // Native gives up on a page it cannot read (turned 12°, speckled) in a fraction of the time reading it takes:
      // those are told apart from pages both read alike.
      else s.time.over.push({ file: r.file, ratio, readsMore: native !== undefined && r.docproc.recall > native + 1e-9 });
    }
  }
  return s;
}

export function renderGoal(s: GoalSummary): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const lines = [
    `recall at least native's: ${s.recall.atLeastNative} of ${s.recall.compared} files with a true text` +
      (s.recall.below.length ? ` (below: ${s.recall.below.map((b) => `${b.file} ${pct(b.recall)} < ${pct(b.native)}`).join(', ')})` : ''),
    `CPU per page within ${GOAL_CPU_RATIO}× native's: ${s.time.within} of ${s.time.compared} files`,
  ];
  const over = (readsMore: boolean) => s.time.over.filter((o) => o.readsMore === readsMore).map((o) => `${o.file} ${o.ratio.toFixed(2)}×`);
  if (over(true).length) lines.push(`  over, reading more of the true text than native: ${over(true).join(', ')}`);
  if (over(false).length) lines.push(`  over, reading no more than native (or no true text to tell): ${over(false).join(', ')}`);
  return lines.join('\n');
}
