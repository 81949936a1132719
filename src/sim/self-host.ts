import { usageError } from "../errors.js";
import { compareDec, mulFrac, subDec } from "../money.js";

export interface SelfHostSpec {
  costPerHour: string;
  tokensPerSec: number;
}

export interface SelfHost {
  costPerHourUsd: string;
  tokensPerSec: number;
  tokensPerMonth: number;
  instances: number;
  selfHostMonthlyUsd: string;
  apiMonthlyUsd: string;
  /** Positive: self-hosting saves this much a month. */
  monthlyDeltaUsd: string;
  /** API spend per month above which one always-on instance pays for itself. */
  breakEvenMonthlyUsd: string;
}

const HOURS_PER_MONTH = 730;

export function parseSelfHost(v: string): SelfHostSpec {
  const m = /^(\d+(?:\.\d{1,6})?):(\d+(?:\.\d+)?)$/.exec(v.trim());
  if (!m || Number(m[2]) <= 0) throw usageError(`--self-host expects COST_PER_HOUR:TOKENS_PER_SEC, e.g. 2.50:1500 (got ${JSON.stringify(v)})`);
  return { costPerHour: m[1]!, tokensPerSec: Number(m[2]) };
}

/**
 * Always-on instances sized for the month's tokens (input + output, at the stated throughput), against the API
 * spend of the same traffic. Ignores engineering time, redundancy and quality differences: a floor, not a quote.
 */
export function selfHost(spec: SelfHostSpec, tokensPerMonth: number, apiMonthlyUsd: string): SelfHost {
  const capacity = spec.tokensPerSec * 3600 * HOURS_PER_MONTH;
  const instances = Math.max(1, Math.ceil(tokensPerMonth / capacity));
  const perInstance = mulFrac(spec.costPerHour, BigInt(HOURS_PER_MONTH), 1n);
  const selfHostMonthlyUsd = mulFrac(perInstance, BigInt(instances), 1n);
  return {
    costPerHourUsd: spec.costPerHour,
    tokensPerSec: spec.tokensPerSec,
    tokensPerMonth,
    instances,
    selfHostMonthlyUsd,
    apiMonthlyUsd,
    monthlyDeltaUsd: subDec(apiMonthlyUsd, selfHostMonthlyUsd),
    breakEvenMonthlyUsd: compareDec(perInstance, "0") >= 0 ? perInstance : "0",
  };
}
