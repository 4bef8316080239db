// The measured constants (infra/capacity/measured.json, written by measure-capacity.ts) that the
// capacity model starts from.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RunFigures } from './runs.js';
import type { KpiStoreCost, NodeExpositionCost } from './sources.js';

export const MEASURED_JSON = fileURLToPath(
  new URL('../../capacity/measured.json', import.meta.url),
);

export interface Measured {
  readonly measuredAt: string;
  readonly machine: {
    readonly cpus: string;
    readonly loadAverage: readonly number[];
    readonly node: string;
    readonly prometheus: string;
    readonly victoriaMetrics: string;
  };
  readonly prometheus: {
    /** Resident memory per head series: the slope over the measured series counts. */
    readonly residentBytesPerSeries: number;
    readonly residentBaseBytes: number;
    readonly heapBytesPerSeries: number;
    /** Prometheus CPU per ingested sample: scrape, parse, append, WAL, remote-write queue. */
    readonly cpuMicrosPerSample: number;
    readonly walBytesPerSample: number;
    /** Chunk bytes per sample in a compacted block (full 120-sample chunks). */
    readonly blockBytesPerSample: number;
    /** Index bytes per series, per block. */
    readonly indexBytesPerSeries: number;
    /** Snappy-compressed remote-write bytes per sample on the wire. */
    readonly remoteWriteBytesPerSample: number;
  };
  readonly victoriaMetrics: {
    readonly residentBytesPerSeries: number;
    readonly cpuMicrosPerSample: number;
    /** Bytes per stored sample after its first merges (minutes of data: an upper bound). */
    readonly diskBytesPerSample: number;
    readonly indexBytesPerSeries: number;
  };
  readonly node: NodeExpositionCost;
  readonly kpiStore: KpiStoreCost;
  readonly runs: readonly RunFigures[];
}

/**
 * The committed measured constants.
 *
 * @example
 * readMeasured().prometheus.residentBytesPerSeries;
 */
export function readMeasured(path: string = MEASURED_JSON): Measured {
  return JSON.parse(readFileSync(path, 'utf8')) as Measured;
}
