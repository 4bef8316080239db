// Figures other measurements of this repo already made, read from their reports so the capacity
// model starts from what was measured, not from a copy that drifts: the cost of one exposition
// line on the Node side (bench/report.md, section Scrape) and the KPI store on Redis
// (packages/business-metrics/bench/redis-capacity.md).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const NODE_REPORT = fileURLToPath(new URL('../../../bench/report.md', import.meta.url));
export const KPI_REPORT = fileURLToPath(
  new URL('../../../packages/business-metrics/bench/redis-capacity.md', import.meta.url),
);

/** The service side of a scrape: CPU to render one exposition line, the worst row of the table. */
export interface NodeExpositionCost {
  readonly cpuMicrosPerLine: number;
  readonly source: string;
}

/** The KPI store on Redis. */
export interface KpiStoreCost {
  /** `MEMORY USAGE` of one dense HyperLogLog day key (any number of users past ~10,000). */
  readonly dayKeyBytes: number;
  readonly bytesPerSubscribedCustomer: number;
  /** Redis CPU per user added, the worst row (a Cluster master that also feeds its replica). */
  readonly redisCpuMicrosPerAdd: number;
  /** The service's CPU per user recorded through the store (hashing, pipelining). */
  readonly clientCpuMicrosPerUser: number;
  readonly source: string;
}

const number = (cell: string): number => Number(cell.replace(/[,\s]/g, ''));

/** Rows of the first Markdown table after `heading`, as trimmed cells. */
function table(text: string, heading: string): string[][] {
  const at = text.indexOf(heading);
  if (at < 0) throw new Error(`no section "${heading}"`);
  const rows: string[][] = [];
  for (const line of text.slice(at).split('\n').slice(1)) {
    if (!line.startsWith('|')) {
      if (rows.length > 0) break;
      continue;
    }
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    if (cells.every((c) => /^:?-+:?$/.test(c))) continue;
    rows.push(cells);
  }
  return rows.slice(1); // without the header row
}

/**
 * The Node side's exposition cost from bench/report.md: ours CPU ms / (series × lines per series).
 *
 * @example
 * nodeExpositionCost(readFileSync(NODE_REPORT, 'utf8')).cpuMicrosPerLine; // ≈ 1.2
 */
export function nodeExpositionCost(report: string): NodeExpositionCost {
  const lines = Number(/\((\d+) lines per series\)/.exec(report)?.[1]);
  if (!lines) throw new Error('bench/report.md: no "(N lines per series)" in the Scrape section');
  // The histogram's rows: a row marked "(counter)" or "(families)" is one line per series.
  const perLine = table(report, '## Scrape')
    .filter(([series]) => !(series ?? '').includes('('))
    .map(([series, , , cpuMs]) => (number(cpuMs ?? '') * 1000) / (number(series ?? '') * lines));
  if (perLine.length === 0 || perLine.some((v) => !Number.isFinite(v))) {
    throw new Error('bench/report.md: the Scrape table has no readable rows');
  }
  return { cpuMicrosPerLine: Math.max(...perLine), source: 'bench/report.md (Scrape)' };
}

/**
 * The KPI store's figures from redis-capacity.md.
 *
 * @example
 * kpiStoreCost(readFileSync(KPI_REPORT, 'utf8')).dayKeyBytes; // 14408
 */
export function kpiStoreCost(report: string): KpiStoreCost {
  const keys = table(report, '## Memory per key').filter((r) => r[3] === 'dense');
  const writes = table(report, '## Writes');
  const perCustomer = Number(/(\d+) bytes per customer/.exec(report)?.[1]);
  const cost: KpiStoreCost = {
    dayKeyBytes: Math.max(...keys.map((r) => number(r[2] ?? ''))),
    bytesPerSubscribedCustomer: perCustomer,
    redisCpuMicrosPerAdd: Math.max(...writes.map((r) => number(r[3] ?? ''))),
    clientCpuMicrosPerUser: Math.max(
      ...writes.filter((r) => r[1]?.startsWith('store')).map((r) => number(r[4] ?? '')),
    ),
    source: 'packages/business-metrics/bench/redis-capacity.md',
  };
  for (const [field, value] of Object.entries(cost)) {
    if (typeof value === 'number' && !(value > 0)) {
      throw new Error(`redis-capacity.md: could not read ${field} (got ${value})`);
    }
  }
  return cost;
}

/** Both, read from the committed reports. */
export function measuredElsewhere(): { node: NodeExpositionCost; kpiStore: KpiStoreCost } {
  return {
    node: nodeExpositionCost(readFileSync(NODE_REPORT, 'utf8')),
    kpiStore: kpiStoreCost(readFileSync(KPI_REPORT, 'utf8')),
  };
}
