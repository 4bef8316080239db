// The per-setup figures of the throughput rounds (medians and same-round ratios with their
// spread), the target type, and the number formats every report section shares.
import type { Framework, Variant } from './configs.js';
import { median, pairedValues, spreadOf, type Spread } from './stats.js';
import type { Sample } from './throughput.js';

export interface Target {
  readonly name: string;
  readonly met: boolean;
  /** The measured value against the target, and by how much a miss misses. */
  readonly detail: string;
  /** What would close it, for a miss. */
  readonly fix?: string;
}

export interface Summary {
  readonly framework: Framework;
  readonly variant: Variant;
  readonly rounds: number;
  readonly rps: number;
  /** Median over rounds of rps / bare rps of the same round. */
  readonly ratioToBare: number;
  /** rps / bare rps of the same round: median, lowest and highest round. */
  readonly ratio: Spread;
  /** Server CPU per request / bare's in the same round: median, lowest and highest round. */
  readonly cpuRatio: Spread;
  readonly cpuMicros: number;
  /** Median over rounds of the kernel's part of cpuMicros (NaN when not measured). */
  readonly systemMicros: number;
  /** Median over rounds of the CPU per request minus bare's in the same round. */
  readonly cpuDeltaMicros: number;
  readonly p99Ms: number;
  readonly errors: number;
}

/** The same-round ratio of two setups, median over the rounds both ran. */
function pairedMedian(
  samples: readonly Sample[],
  framework: Framework,
  a: Variant,
  b: Variant,
  value: (x: Sample, y: Sample) => number,
): number {
  return median(pairedValues(samples, framework, a, b, value));
}

export function summarize(samples: readonly Sample[]): Summary[] {
  const out: Summary[] = [];
  const seen = new Set<string>();
  for (const s of samples) {
    const key = `${s.framework}/${s.variant}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const mine = samples.filter((o) => o.framework === s.framework && o.variant === s.variant);
    const ratio = spreadOf(
      pairedValues(samples, s.framework, s.variant, 'bare', (x, y) => x.rps / y.rps),
    );
    const cpuRatio = spreadOf(
      pairedValues(
        samples,
        s.framework,
        s.variant,
        'bare',
        (x, y) => x.cpuMicrosPerRequest / y.cpuMicrosPerRequest,
      ),
    );
    out.push({
      framework: s.framework,
      variant: s.variant,
      rounds: mine.length,
      rps: median(mine.map((o) => o.rps)),
      ratioToBare: ratio.median,
      ratio,
      cpuRatio,
      cpuMicros: median(mine.map((o) => o.cpuMicrosPerRequest)),
      systemMicros: median(mine.map((o) => o.systemMicrosPerRequest ?? Number.NaN)),
      cpuDeltaMicros: pairedMedian(
        samples,
        s.framework,
        s.variant,
        'bare',
        (x, y) => x.cpuMicrosPerRequest - y.cpuMicrosPerRequest,
      ),
      p99Ms: median(mine.map((o) => o.p99Ms)),
      errors: mine.reduce((sum, o) => sum + o.errors, 0),
    });
  }
  return out;
}

export const f1 = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
export const f2 = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
export const f0 = (n: number): string => (Number.isFinite(n) ? n.toFixed(0) : 'n/a');
export const signed = (n: number): string => (n >= 0 ? `+${f1(n)}` : f1(n));
export const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
/** `0.95 (0.91–0.99)`: the median over rounds and the lowest and highest round. */
export const spreadText = (x: Spread): string => `${f2(x.median)} (${f2(x.min)}–${f2(x.max)})`;

export function find(
  summaries: readonly Summary[],
  framework: Framework,
  variant: Variant,
): Summary | undefined {
  return summaries.find((s) => s.framework === framework && s.variant === variant);
}
