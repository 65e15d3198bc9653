// Runs readiness checks in parallel, each under its own timeout: a slow check is degraded, /readyz never hangs.
import { docprocVersion } from '../version.js';
import { worst, type CheckOutcome, type CheckResult, type ReadinessCheck, type ReadinessReport } from './types.js';

export const DEFAULT_CHECK_TIMEOUT_MS = 2000;

export async function runCheck(check: ReadinessCheck, defaultTimeoutMs: number): Promise<CheckResult> {
  const timeoutMs = check.timeoutMs ?? defaultTimeoutMs;
  const started = performance.now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  // The check keeps running after its timeout (a model load finishes and is cached); only its answer is dropped.
  const timedOut = new Promise<CheckOutcome>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve({ status: 'degraded', message: `no answer within ${timeoutMs} ms`, details: { timedOut: true } });
    }, timeoutMs);
  });
  const ran = Promise.resolve()
    .then(() => check.run(controller.signal))
    .catch((err: unknown): CheckOutcome => ({ status: 'unhealthy', message: `check failed: ${(err as Error)?.message ?? String(err)}` }));
  try {
    const outcome = await Promise.race([ran, timedOut]);
    return { ...outcome, durationMs: Math.round((performance.now() - started) * 10) / 10 };
  } finally {
    clearTimeout(timer);
  }
}

export async function runChecks(checks: ReadinessCheck[], defaultTimeoutMs = DEFAULT_CHECK_TIMEOUT_MS): Promise<ReadinessReport> {
  const results = await Promise.all(checks.map((c) => runCheck(c, defaultTimeoutMs)));
  const byName: Record<string, CheckResult> = {};
  checks.forEach((c, i) => (byName[c.name] = results[i]!));
  return { status: worst(results.map((r) => r.status)), checks: byName, version: docprocVersion() };
}
