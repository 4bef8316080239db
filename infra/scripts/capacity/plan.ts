// The capacity arithmetic: a fleet and the measured constants in, what one Prometheus replica
// holds, how many shards, disks, remote-write bandwidth, the long-term store and the KPI store
// out. Pure functions, so infra/deploy-tests/capacity.test.ts can check every figure.
import { durationSeconds } from '../../lib/rules.js';
import type { Fleet } from './fleet.js';
import type { Measured } from './measured.js';

const GiB = 2 ** 30;
const DAY = 86_400;
/** Prometheus's default longest block: 10% of the retention time, at most 31 days. */
const MAX_BLOCK_SECONDS = (retention: number): number => Math.min(31 * DAY, retention / 10);
/** The WAL and head hold about the last 3 hours before they are compacted into a block. */
const WAL_SECONDS = 3 * 3600;
/** Samples per head chunk before it is cut (Prometheus's target). */
const SAMPLES_PER_CHUNK = 120;
/** Index bytes per extra chunk of a series in a block: three varints (format, not measured). */
const INDEX_BYTES_PER_CHUNK = 7;
/** Day keys the KPI store keeps: redisStore's dayTtlSeconds default, 35 days. */
export const KPI_DAY_KEYS = 35;

export interface Plan {
  readonly targets: number;
  readonly activeSeries: number;
  /** Fleet-wide samples per second, one replica's worth (what the long-term store keeps). */
  readonly samplesPerSecond: number;
  readonly replica: {
    readonly byMemory: number;
    readonly byCpu: number;
    /** Series one replica holds within its limits: the smaller of the two. */
    readonly seriesCapacity: number;
    readonly bound: 'memory' | 'cpu';
    /** Services of this fleet's shape one replica holds. */
    readonly servicesCapacity: number;
  };
  /** Prometheus shards needed (each as many replicas as `prometheus.replicas`). */
  readonly shards: number;
  /** One replica of one shard, at this fleet's load. */
  readonly perReplica: {
    readonly series: number;
    readonly samplesPerSecond: number;
    readonly residentBytes: number;
    readonly cpuCores: number;
    readonly diskBytes: number;
    readonly remoteWriteBytesPerSecond: number;
  };
  readonly remoteWrite: {
    /** Into vminsert: every replica of every shard writes its samples. */
    readonly fleetBytesPerSecond: number;
    /** Out of vminsert: each sample to `replicationFactor` vmstorage nodes. */
    readonly samplesIntoStoragePerSecond: number;
  };
  readonly longTerm: {
    readonly diskBytes: number;
    readonly residentBytes: number;
    readonly cpuCores: number;
  };
  readonly node: {
    /** One pod's CPU to render its exposition once. */
    readonly cpuMicrosPerScrape: number;
    /** Share of one core a pod spends on being scraped by every replica. */
    readonly coreShare: number;
  };
  readonly kpi: {
    readonly memoryBytes: number;
    readonly redisCpuSecondsPerDay: number;
    readonly serviceCpuSecondsPerDay: number;
    /** Redis CPU per million daily active users and day (memory does not grow with users). */
    readonly redisCpuSecondsPerMillionUsersPerDay: number;
    readonly serviceCpuSecondsPerMillionUsersPerDay: number;
  };
}

/** Local disk of one replica over its retention: chunks, the blocks' index, the WAL. */
function localDisk(f: Fleet, m: Measured, series: number, perSecond: number): number {
  const retention = durationSeconds(f.prometheus.retention);
  const block = MAX_BLOCK_SECONDS(retention);
  const blocks = Math.ceil(retention / block);
  const chunksPerSeries = (block * perSecond) / series / SAMPLES_PER_CHUNK;
  const indexPerSeries =
    m.prometheus.indexBytesPerSeries + Math.max(0, chunksPerSeries - 1) * INDEX_BYTES_PER_CHUNK;
  return (
    perSecond * retention * m.prometheus.blockBytesPerSample +
    series * f.churnFactor * indexPerSeries * blocks +
    perSecond * WAL_SECONDS * m.prometheus.walBytesPerSample
  );
}

/**
 * The capacity plan of a fleet from the measured constants.
 *
 * @example
 * const plan = planFleet(validateFleet(fleet), readMeasured());
 * plan.shards; // 1
 */
export function planFleet(f: Fleet, m: Measured): Plan {
  const interval = durationSeconds(f.scrapeInterval);
  const targets = f.services * f.replicasPerService;
  const activeSeries = targets * f.seriesPerReplica;
  const samplesPerSecond = activeSeries / interval;
  const p = m.prometheus;

  const budget = f.prometheus.memoryGiB * GiB * f.prometheus.usableFraction;
  const byMemory = Math.floor(
    (budget - p.residentBaseBytes) / (p.residentBytesPerSeries * f.churnFactor),
  );
  const byCpu = Math.floor(
    ((f.prometheus.cpuCores * f.prometheus.usableFraction * 1e6) / p.cpuMicrosPerSample) * interval,
  );
  const seriesCapacity = Math.max(0, Math.min(byMemory, byCpu));
  const shards = seriesCapacity > 0 ? Math.ceil(activeSeries / seriesCapacity) : Infinity;

  const series = activeSeries / shards;
  const perSecond = series / interval;
  const longRetention = durationSeconds(f.longTerm.retention);
  const rf = f.longTerm.replicationFactor;
  const vm = m.victoriaMetrics;
  const perMillion = (users: number, value: number): number =>
    users > 0 ? (value * 1e6) / users : 0;
  const adds = f.users.dailyActive * f.users.addsPerActiveUserPerDay;
  const redisCpu = (adds * m.kpiStore.redisCpuMicrosPerAdd) / 1e6;
  const serviceCpu = (adds * m.kpiStore.clientCpuMicrosPerUser) / 1e6;

  return {
    targets,
    activeSeries,
    samplesPerSecond,
    replica: {
      byMemory,
      byCpu,
      seriesCapacity,
      bound: byMemory <= byCpu ? 'memory' : 'cpu',
      servicesCapacity: Math.floor(seriesCapacity / (f.replicasPerService * f.seriesPerReplica)),
    },
    shards,
    perReplica: {
      series,
      samplesPerSecond: perSecond,
      residentBytes: p.residentBaseBytes + p.residentBytesPerSeries * series * f.churnFactor,
      cpuCores: (perSecond * p.cpuMicrosPerSample) / 1e6,
      diskBytes: localDisk(f, m, series, perSecond),
      remoteWriteBytesPerSecond: perSecond * p.remoteWriteBytesPerSample,
    },
    remoteWrite: {
      fleetBytesPerSecond: samplesPerSecond * f.prometheus.replicas * p.remoteWriteBytesPerSample,
      samplesIntoStoragePerSecond: samplesPerSecond * f.prometheus.replicas * rf,
    },
    longTerm: {
      // Deduplicated: one replica's samples kept, `rf` copies; a per-day index of every series.
      diskBytes:
        rf *
        (samplesPerSecond * longRetention * vm.diskBytesPerSample +
          activeSeries * f.churnFactor * vm.indexBytesPerSeries * Math.ceil(longRetention / DAY)),
      residentBytes: rf * activeSeries * f.churnFactor * vm.residentBytesPerSeries,
      cpuCores: (samplesPerSecond * f.prometheus.replicas * rf * vm.cpuMicrosPerSample) / 1e6,
    },
    node: {
      cpuMicrosPerScrape: f.seriesPerReplica * m.node.cpuMicrosPerLine,
      coreShare:
        (f.seriesPerReplica * m.node.cpuMicrosPerLine * f.prometheus.replicas) / interval / 1e6,
    },
    kpi: {
      memoryBytes:
        f.users.kpiPrefixes * KPI_DAY_KEYS * m.kpiStore.dayKeyBytes +
        f.users.subscribedCustomers * m.kpiStore.bytesPerSubscribedCustomer,
      redisCpuSecondsPerDay: redisCpu,
      serviceCpuSecondsPerDay: serviceCpu,
      redisCpuSecondsPerMillionUsersPerDay: perMillion(f.users.dailyActive, redisCpu),
      serviceCpuSecondsPerMillionUsersPerDay: perMillion(f.users.dailyActive, serviceCpu),
    },
  };
}
