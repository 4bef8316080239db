// What the cluster primary and its workers say to each other. A worker answers a request with its
// registries as compact snapshots (label values and numbers in flat arrays, not exposition text),
// in parts of a bounded number of series, so neither side parses or builds one huge message.
import type { Labels } from '../prom-internals/probe.js';

const PREFIX = '@ai-orchestrator/metrics:cluster';
/** Primary to worker: send a snapshot. */
export const REQUEST = `${PREFIX}:request`;
/** Primary to cluster workers it found already running: say hello if you publish. */
export const DISCOVER = `${PREFIX}:discover`;
/** Worker to primary: this worker publishes its metrics. */
export const HELLO = `${PREFIX}:hello`;
/** Worker to primary: one part of a snapshot. */
export const PART = `${PREFIX}:part`;

/** BroadcastChannel names for worker threads: requests and hellos are shared, replies per thread. */
export const THREAD_REQUESTS = `${PREFIX}:requests`;
export const THREAD_HELLOS = `${PREFIX}:hellos`;
export const threadReplies = (threadId: number): string => `${PREFIX}:replies:${threadId}`;

export interface SnapshotRequest {
  readonly type: typeof REQUEST;
  readonly id: number;
  /** Worker threads share one request channel: the thread the request is for. */
  readonly threadId?: number;
}

export interface Hello {
  readonly type: typeof HELLO;
  readonly threadId?: number;
}

export interface ExemplarSnapshot {
  readonly labelSet: Labels;
  readonly value: number;
  readonly timestamp?: number;
}

/** A sample value; non-finite numbers travel as strings, since JSON has no NaN or Infinity. */
export type WireNumber = number | string;

/** Labels of a sample: histogram buckets carry a numeric `le`. */
export type SampleLabels = Readonly<Record<string, string | number>>;

/** `[sample name or '', labels, value, exemplar]`, as prom-client's `get()` gives them. */
export type WireSample = readonly [string, SampleLabels, WireNumber, (ExemplarSnapshot | null)?];

/** A family read through prom-client's `get()`: counters, gauges, and anything not a plain histogram. */
export interface ValuesFamily {
  readonly kind: 'values';
  readonly name: string;
  readonly help: string;
  readonly type: string;
  /** prom-client's `aggregator` of the metric, when it has one. */
  readonly rule?: string;
  readonly samples: readonly WireSample[];
}

/** Some series of a plain prom-client histogram, read from its entries. */
export interface HistogramFamily {
  readonly kind: 'histogram';
  readonly name: string;
  readonly help: string;
  readonly rule?: string;
  readonly labelNames: readonly string[];
  readonly bounds: readonly number[];
  /** `labelNames.length` values per series; null where the series has no such label. */
  readonly labels: readonly (string | null)[];
  /** Per series: count, sum, then the count of each bucket alone (not cumulative). */
  readonly numbers: readonly number[];
  /** `[series index in this family part, bucket index (bounds.length is +Inf), exemplar]`. */
  readonly exemplars: readonly (readonly [number, number, ExemplarSnapshot])[];
}

export type FamilySnapshot = ValuesFamily | HistogramFamily;

export interface SnapshotPart {
  readonly type: typeof PART;
  readonly id: number;
  readonly last: boolean;
  readonly families: readonly FamilySnapshot[];
  /** On the last part: the series budget of each metric group, by the group's first metric. */
  readonly budgets?: Readonly<Record<string, number>>;
  /** On the last part: the worker's pid and when its snapshot was taken (ms since the epoch). */
  readonly pid?: number;
  readonly takenAt?: number;
  /** Set when the worker could not take its snapshot. */
  readonly error?: string;
}

/** One worker's whole snapshot, as the primary keeps it. */
export interface Snapshot {
  readonly pid: number;
  readonly takenAt: number;
  readonly families: readonly FamilySnapshot[];
  readonly budgets: Readonly<Record<string, number>>;
}

export function toWire(value: number): WireNumber {
  return Number.isFinite(value) ? value : String(value);
}

export function fromWire(value: WireNumber): number {
  return typeof value === 'number' ? value : Number(value);
}

/** True for a message of this protocol with the given type. */
export function isMessage<T extends { readonly type: string }>(
  message: unknown,
  type: T['type'],
): message is T {
  return (
    typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type
  );
}
