// The capacity plan as Markdown, the tables infra/CAPACITY.md shows.
import type { Fleet } from './fleet.js';
import type { Measured } from './measured.js';
import type { Plan } from './plan.js';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 1536 -> "1.5 KiB": binary units, three significant digits. */
export function bytes(n: number): string {
  let value = n;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${Number(value.toPrecision(3))} ${UNITS[unit]}`;
}

/** 12345.6 -> "12,346". */
export const whole = (n: number): string => Math.round(n).toLocaleString('en-US');
const fixed = (n: number, digits = 3): string => String(Number(n.toPrecision(digits)));
const megabits = (bytesPerSecond: number): string => `${fixed((bytesPerSecond * 8) / 1e6)} Mbit/s`;

function rows(header: [string, string], body: [string, string][]): string {
  return [
    `| ${header[0]} | ${header[1]} |`,
    '| --- | ---: |',
    ...body.map(([a, b]) => `| ${a} | ${b} |`),
  ].join('\n');
}

/**
 * The measured constants as a table (what the plan starts from).
 *
 * @example
 * renderMeasured(readMeasured());
 */
export function renderMeasured(m: Measured): string {
  const p = m.prometheus;
  const vm = m.victoriaMetrics;
  return rows(
    ['measured', 'value'],
    [
      ['Prometheus resident memory per head series', bytes(p.residentBytesPerSeries)],
      ['Prometheus resident memory, base', bytes(p.residentBaseBytes)],
      ['Prometheus Go heap in use per head series', bytes(p.heapBytesPerSeries)],
      ['Prometheus CPU per ingested sample', `${fixed(p.cpuMicrosPerSample)} µs`],
      ['Prometheus WAL per sample', `${fixed(p.walBytesPerSample)} B`],
      ['Prometheus block (compacted) per sample', `${fixed(p.blockBytesPerSample)} B`],
      ['Prometheus block index per series', `${fixed(p.indexBytesPerSeries)} B`],
      ['remote write on the wire per sample', `${fixed(p.remoteWriteBytesPerSample)} B`],
      ['VictoriaMetrics resident memory per series', bytes(vm.residentBytesPerSeries)],
      ['VictoriaMetrics CPU per sample', `${fixed(vm.cpuMicrosPerSample)} µs`],
      ['VictoriaMetrics disk per sample (first merges)', `${fixed(vm.diskBytesPerSample)} B`],
      ['VictoriaMetrics index per series and day', `${fixed(vm.indexBytesPerSeries)} B`],
      ['service CPU per exposition line (bench/report.md)', `${fixed(m.node.cpuMicrosPerLine)} µs`],
      ['KPI store: one dense day key (redis-capacity.md)', bytes(m.kpiStore.dayKeyBytes)],
      ['KPI store: Redis CPU per user added', `${fixed(m.kpiStore.redisCpuMicrosPerAdd)} µs`],
      [
        'KPI store: service CPU per user recorded',
        `${fixed(m.kpiStore.clientCpuMicrosPerUser)} µs`,
      ],
    ],
  );
}

/**
 * The plan of a fleet as Markdown tables.
 *
 * @example
 * renderPlan(fleet, planFleet(fleet, measured));
 */
export function renderPlan(f: Fleet, plan: Plan): string {
  const r = plan.replica;
  const per = plan.perReplica;
  return [
    rows(
      ['fleet', ''],
      [
        ['scrape targets', whole(plan.targets)],
        ['active series', whole(plan.activeSeries)],
        [
          `samples per second (one replica's worth, every ${f.scrapeInterval})`,
          whole(plan.samplesPerSecond),
        ],
      ],
    ),
    '',
    rows(
      [
        `one Prometheus replica (${f.prometheus.memoryGiB} GiB, ${f.prometheus.cpuCores} cores, ${f.prometheus.usableFraction * 100} % for ingestion)`,
        '',
      ],
      [
        ['series it holds, by memory', whole(r.byMemory)],
        ['series it holds, by CPU', whole(r.byCpu)],
        [`series it holds (bound by ${r.bound})`, whole(r.seriesCapacity)],
        ['services of this shape it holds', whole(r.servicesCapacity)],
        ['shards needed', `${whole(plan.shards)} (× ${f.prometheus.replicas} replicas)`],
      ],
    ),
    '',
    rows(
      ['each replica at this load', ''],
      [
        ['series', whole(per.series)],
        ['samples per second', whole(per.samplesPerSecond)],
        ['resident memory', bytes(per.residentBytes)],
        ['CPU for ingestion', `${fixed(per.cpuCores)} cores`],
        [`local disk for ${f.prometheus.retention}`, bytes(per.diskBytes)],
        ['remote write out', megabits(per.remoteWriteBytesPerSecond)],
      ],
    ),
    '',
    rows(
      [
        `long-term store (${f.longTerm.retention}, replication factor ${f.longTerm.replicationFactor})`,
        '',
      ],
      [
        ['remote write into vminsert, whole fleet', megabits(plan.remoteWrite.fleetBytesPerSecond)],
        ['samples per second into vmstorage', whole(plan.remoteWrite.samplesIntoStoragePerSecond)],
        ['vmstorage disk, all nodes', bytes(plan.longTerm.diskBytes)],
        ['vmstorage resident memory, all nodes', bytes(plan.longTerm.residentBytes)],
        ['CPU, all components (upper bound)', `${fixed(plan.longTerm.cpuCores)} cores`],
      ],
    ),
    '',
    rows(
      ['services and KPI store', ''],
      [
        ['service CPU per scrape of one pod', `${fixed(plan.node.cpuMicrosPerScrape / 1000)} ms`],
        ['share of a core per pod for being scraped', `${fixed(plan.node.coreShare * 100)} %`],
        [
          `KPI store memory (${f.users.kpiPrefixes} prefixes, ${whole(f.users.subscribedCustomers)} customers)`,
          bytes(plan.kpi.memoryBytes),
        ],
        [
          `Redis CPU per day (${whole(f.users.dailyActive)} daily active users)`,
          `${fixed(plan.kpi.redisCpuSecondsPerDay)} s`,
        ],
        [
          'Redis CPU per million daily active users and day',
          `${fixed(plan.kpi.redisCpuSecondsPerMillionUsersPerDay)} s`,
        ],
        [
          'service CPU per million daily active users and day',
          `${fixed(plan.kpi.serviceCpuSecondsPerMillionUsersPerDay)} s`,
        ],
      ],
    ),
  ].join('\n');
}
