// The readiness contract: what a check returns and what /readyz answers.

export type CheckStatus = 'healthy' | 'degraded' | 'unhealthy';

/** What a check itself reports; the runner adds the time it took. */
export interface CheckOutcome {
  status: CheckStatus;
  message: string;
  details?: Record<string, unknown>;
}

export interface CheckResult extends CheckOutcome {
  durationMs: number;
}

export interface ReadinessCheck {
  name: string;
  /** Overrides the runner's default: a check that is slow by nature (a first model load) may get longer. */
  timeoutMs?: number;
  run(signal: AbortSignal): Promise<CheckOutcome>;
}

export interface ReadinessReport {
  status: CheckStatus;
  checks: Record<string, CheckResult>;
  version: string;
}

const RANK: Record<CheckStatus, number> = { healthy: 0, degraded: 1, unhealthy: 2 };

export function worst(statuses: CheckStatus[]): CheckStatus {
  return statuses.reduce<CheckStatus>((w, s) => (RANK[s] > RANK[w] ? s : w), 'healthy');
}

/** Disk and age thresholds say "healthy above h, degraded above d, else unhealthy" (higher is better). */
export function grade(value: number, healthyAbove: number, degradedAbove: number): CheckStatus {
  if (value > healthyAbove) return 'healthy';
  if (value > degradedAbove) return 'degraded';
  return 'unhealthy';
}
