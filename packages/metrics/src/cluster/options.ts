// createClusterMetrics' options, checked once: a bad one throws a TypeError naming it.
import type { Aggregation } from '../contract.js';
import type { AnyRegistry } from '../types.js';
import { invalid, requireName, requirePositiveInteger } from '../validate.js';
import { AGGREGATIONS } from './rules.js';
import type { ClusterMetricsOptions } from './types.js';
import { UNKNOWN_SERVICE, defaultServiceName } from '../service-name.js';

function envServiceName(): string | undefined {
  const name = defaultServiceName();
  return name === UNKNOWN_SERVICE ? undefined : name;
}

const WHERE = 'createClusterMetrics';
// Well under Prometheus' 10 s scrape timeout, well over a 10k-series snapshot.
const DEFAULT_TIMEOUT_MS = 2000;

export interface CheckedOptions {
  readonly registry: AnyRegistry | undefined;
  readonly serviceName: string | undefined;
  /** The service name the environment gives (as the adapters read it), if any. */
  readonly envService: string | undefined;
  readonly timeoutMs: number;
  readonly workerLabel: boolean;
  readonly aggregation: Readonly<Record<string, Aggregation>>;
}

function isRegistry(value: unknown): value is AnyRegistry {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AnyRegistry).getMetricsAsArray === 'function'
  );
}

function checkAggregation(value: unknown): Readonly<Record<string, Aggregation>> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(WHERE, 'aggregation', value, 'an object of rules by metric name');
  }
  for (const [name, rule] of Object.entries(value)) {
    if (!(AGGREGATIONS as readonly unknown[]).includes(rule)) {
      throw invalid(WHERE, `aggregation.${name}`, rule, `one of ${AGGREGATIONS.join(', ')}`);
    }
  }
  return value as Record<string, Aggregation>;
}

/** The options with their defaults; `primary` is the registry used when none is given. */
export function checkOptions(options: unknown, primary: AnyRegistry): CheckedOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalid(WHERE, 'options', options, 'an object');
  }
  const o = options as ClusterMetricsOptions;
  const registry = o.registry === undefined ? primary : o.registry;
  if (registry !== false && !isRegistry(registry)) {
    throw invalid(WHERE, 'registry', registry, 'a prom-client Registry or false');
  }
  if (o.workerLabel !== undefined && typeof o.workerLabel !== 'boolean') {
    throw invalid(WHERE, 'workerLabel', o.workerLabel, 'true or false');
  }
  return {
    registry: registry === false ? undefined : registry,
    serviceName:
      o.serviceName === undefined ? undefined : requireName(WHERE, 'serviceName', o.serviceName),
    // Only a name the environment gives; `unknown_service:node` would hide the workers' own.
    envService: envServiceName(),
    timeoutMs:
      o.timeoutMs === undefined
        ? DEFAULT_TIMEOUT_MS
        : requirePositiveInteger(WHERE, 'timeoutMs', o.timeoutMs),
    workerLabel: o.workerLabel ?? false,
    aggregation: checkAggregation(o.aggregation),
  };
}
