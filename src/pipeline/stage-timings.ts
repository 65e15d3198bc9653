// Optional stage timing of an ingest (bench:ingest): stages report their intervals to a sink; without one, nothing
// is measured and nothing changes.

export type IngestStage = 'walk' | 'plan' | 'hash' | 'extract' | 'ocr' | 'chunk' | 'lookup' | 'embed' | 'write';

export interface StageSink {
  /** One interval of a stage, in performance.now() milliseconds. Files overlap, so intervals do too. */
  stage(name: IngestStage, startMs: number, endMs: number): void;
  /** Tokens of the chunks one file produced, and of those it sent to the model. */
  tokens?(chunked: number, embedded: number): void;
}

/** Runs `run` as one interval of a stage; `name` may depend on the result (extraction that needed OCR). */
export async function timeStage<T>(sink: StageSink | undefined, name: IngestStage | ((r: T | undefined) => IngestStage), run: () => Promise<T>): Promise<T> {
  if (!sink) return run();
  const started = performance.now();
  let result: T | undefined;
  try {
    result = await run();
    return result;
  } finally {
    sink.stage(typeof name === 'function' ? name(result) : name, started, performance.now());
  }
}

export function timeStageSync<T>(sink: StageSink | undefined, name: IngestStage, run: () => T): T {
  if (!sink) return run();
  const started = performance.now();
  try {
    return run();
  } finally {
    sink.stage(name, started, performance.now());
  }
}
