// infra/scripts/capacity.ts over the example fleet: every figure of the plan is the arithmetic
// of the fleet and the measured constants (infra/capacity/measured.json), worked out here by
// hand; the constants taken from other reports still say what those reports say; a bad fleet is
// refused naming the field; and infra/CAPACITY.md shows the script's current output.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@ai-orchestrator/testkit';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  capacityReport,
  KPI_DAY_KEYS,
  planFleet,
  readMeasured,
  validateFleet,
} from '../scripts/capacity.js';
import { measuredElsewhere, nodeExpositionCost } from '../scripts/capacity/sources.js';
import { INFRA, read, SCRIPTS, TSX } from './paths.js';
import { run } from './run.js';

const EXAMPLE = join(INFRA, 'capacity/fleet.example.yaml');
const m = readMeasured();
const example = (): Record<string, unknown> => parse(read(EXAMPLE)) as Record<string, unknown>;

describe('the capacity plan of the example fleet', () => {
  const fleet = validateFleet(example());
  const plan = planFleet(fleet, m);
  const p = m.prometheus;

  it('reads the example as written', () => {
    expect(fleet).toMatchObject({
      services: 40,
      replicasPerService: 4,
      seriesPerReplica: 1500,
      churnFactor: 1.2,
      scrapeInterval: '15s',
      prometheus: { replicas: 2, memoryGiB: 8, cpuCores: 2, usableFraction: 0.5 },
      longTerm: { retention: '400d', replicationFactor: 2 },
    });
  });

  it('counts targets, series and samples', () => {
    expect(plan.targets).toBe(160);
    expect(plan.activeSeries).toBe(240_000);
    expect(plan.samplesPerSecond).toBe(16_000);
  });

  it('sizes one replica by the smaller of its memory and CPU budgets', () => {
    const byMemory = Math.floor(
      (8 * 2 ** 30 * 0.5 - p.residentBaseBytes) / (p.residentBytesPerSeries * 1.2),
    );
    const byCpu = Math.floor(((2 * 0.5 * 1e6) / p.cpuMicrosPerSample) * 15);
    expect(plan.replica.byMemory).toBe(byMemory);
    expect(plan.replica.byCpu).toBe(byCpu);
    expect(plan.replica.seriesCapacity).toBe(Math.min(byMemory, byCpu));
    expect(plan.replica.servicesCapacity).toBe(Math.floor(Math.min(byMemory, byCpu) / 6000));
    expect(plan.shards).toBe(Math.ceil(240_000 / Math.min(byMemory, byCpu)));
  });

  it('loads each replica with its share of the fleet', () => {
    const series = 240_000 / plan.shards;
    expect(plan.perReplica.series).toBe(series);
    expect(plan.perReplica.samplesPerSecond).toBeCloseTo(series / 15, 6);
    expect(plan.perReplica.residentBytes).toBeCloseTo(
      p.residentBaseBytes + p.residentBytesPerSeries * series * 1.2,
      0,
    );
    expect(plan.perReplica.cpuCores).toBeCloseTo(((series / 15) * p.cpuMicrosPerSample) / 1e6, 9);
    expect(plan.perReplica.remoteWriteBytesPerSecond).toBeCloseTo(
      (series / 15) * p.remoteWriteBytesPerSample,
      6,
    );
  });

  it('puts 30 days of chunks, ten blocks of index and 3 hours of WAL on the local disk', () => {
    const perSecond = 240_000 / plan.shards / 15;
    const blockSeconds = 3 * 86_400; // 10% of 30 days
    const chunksPerSeries = blockSeconds / 15 / 120; // 144
    const index =
      (240_000 / plan.shards) * 1.2 * (p.indexBytesPerSeries + (chunksPerSeries - 1) * 7) * 10;
    const expected =
      perSecond * 30 * 86_400 * p.blockBytesPerSample +
      index +
      perSecond * 3 * 3600 * p.walBytesPerSample;
    expect(plan.perReplica.diskBytes).toBeCloseTo(expected, 0);
  });

  it('sends both replicas to vminsert and keeps one deduplicated copy per replication', () => {
    const vm = m.victoriaMetrics;
    expect(plan.remoteWrite.fleetBytesPerSecond).toBeCloseTo(
      16_000 * 2 * p.remoteWriteBytesPerSample,
      6,
    );
    expect(plan.remoteWrite.samplesIntoStoragePerSecond).toBe(16_000 * 2 * 2);
    expect(plan.longTerm.diskBytes).toBeCloseTo(
      2 *
        (16_000 * 400 * 86_400 * vm.diskBytesPerSample +
          240_000 * 1.2 * vm.indexBytesPerSeries * 400),
      0,
    );
    expect(plan.longTerm.residentBytes).toBeCloseTo(
      2 * 240_000 * 1.2 * vm.residentBytesPerSeries,
      0,
    );
  });

  it('costs each pod its exposition once per replica and interval', () => {
    expect(plan.node.cpuMicrosPerScrape).toBeCloseTo(1500 * m.node.cpuMicrosPerLine, 9);
    expect(plan.node.coreShare).toBeCloseTo((1500 * m.node.cpuMicrosPerLine * 2) / 15 / 1e6, 12);
  });

  it('costs the KPI store 35 day keys per prefix, whatever the users, and CPU per user', () => {
    const k = m.kpiStore;
    expect(KPI_DAY_KEYS).toBe(35);
    expect(plan.kpi.memoryBytes).toBe(35 * k.dayKeyBytes + 20_000 * k.bytesPerSubscribedCustomer);
    expect(plan.kpi.redisCpuSecondsPerDay).toBeCloseTo(
      (250_000 * 20 * k.redisCpuMicrosPerAdd) / 1e6,
      9,
    );
    expect(plan.kpi.redisCpuSecondsPerMillionUsersPerDay).toBeCloseTo(
      20 * k.redisCpuMicrosPerAdd,
      9,
    );
    expect(plan.kpi.serviceCpuSecondsPerMillionUsersPerDay).toBeCloseTo(
      20 * k.clientCpuMicrosPerUser,
      9,
    );
    // Ten times the users: ten times the CPU, the same memory.
    const bigger = planFleet(
      validateFleet({
        ...example(),
        users: { ...(example().users as object), dailyActive: 2_500_000 },
      }),
      m,
    );
    expect(bigger.kpi.memoryBytes).toBe(plan.kpi.memoryBytes);
    expect(bigger.kpi.redisCpuSecondsPerDay).toBeCloseTo(10 * plan.kpi.redisCpuSecondsPerDay, 9);
  });

  it('shards a fleet past one replica, and no shard holds more than a replica can', () => {
    const huge = planFleet(validateFleet({ ...example(), services: 4000 }), m);
    expect(huge.shards).toBeGreaterThan(1);
    expect(huge.perReplica.series).toBeLessThanOrEqual(huge.replica.seriesCapacity);
    expect(huge.shards).toBe(Math.ceil(huge.activeSeries / huge.replica.seriesCapacity));
  });
});

describe('the measured constants', () => {
  it('take the scrape and KPI store figures from their reports as they stand', () => {
    const elsewhere = measuredElsewhere();
    expect(m.node).toEqual(elsewhere.node);
    expect(m.kpiStore).toEqual(elsewhere.kpiStore);
  });

  it("take the exposition cost from the histogram's rows of the scrape table only", () => {
    const report = [
      '## Scrape',
      '',
      'One histogram with the contract labels and 14 buckets (17 lines per series).',
      '',
      '| series | body MB | ours ms | ours CPU ms |',
      '|---:|---:|---:|---:|',
      '| 1,000 | 2.8 | 5.0 | 3.4 |',
      '| 10,000 | 28.5 | 45.0 | 17.0 |',
      '| 50,000 (counter) | 7.1 | 217.0 | 225.2 |',
      '',
    ].join('\n');
    // 3.4 ms over 1,000 × 17 lines, the larger of the two histogram rows; not the counter's
    expect(nodeExpositionCost(report).cpuMicrosPerLine).toBeCloseTo(0.2, 10);
  });

  it('come from runs of the pinned servers at several series counts', () => {
    expect(new Set(m.runs.map((r) => r.series)).size).toBeGreaterThanOrEqual(2);
    for (const r of m.runs) expect(r.headSeries).toBeGreaterThanOrEqual(r.series);
    expect(m.runs.some((r) => r.block !== undefined)).toBe(true);
    for (const [name, value] of Object.entries({ ...m.prometheus, ...m.victoriaMetrics }))
      expect(value, name).toBeGreaterThan(0);
  });
});

describe('capacity.ts', () => {
  it('prints the plan, and infra/CAPACITY.md shows that output for the example fleet', async () => {
    const result = await run(TSX, [join(SCRIPTS, 'capacity.ts'), EXAMPLE]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(await capacityReport(EXAMPLE));
    expect(read(join(INFRA, 'CAPACITY.md'))).toContain(result.stdout.trim());
  });

  it.each([
    [
      'scrapeInterval',
      'fast',
      'fleet: scrapeInterval must be a Prometheus duration such as 15s or 30d, got "fast"',
    ],
    ['services', 2.5, 'fleet: services must be a whole number >= 1, got 2.5'],
    ['prometheus', undefined, 'fleet: prometheus must be a mapping, got undefined'],
  ])('refuses a bad %s, naming it and its value', async (field, value, message) => {
    const dir = tempDir('capacity-fleet');
    try {
      const file = join(dir.path, 'fleet.yaml');
      const fleet = example();
      if (value === undefined) delete fleet[field];
      else fleet[field] = value;
      writeFileSync(file, stringify(fleet));
      const result = await run(TSX, [join(SCRIPTS, 'capacity.ts'), file]);
      expect(result.stderr).toBe(`capacity: ${message}\n`);
      expect(result.code).toBe(2);
    } finally {
      dir.remove();
    }
  });
});
