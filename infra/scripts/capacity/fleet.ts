// A fleet description (YAML or JSON), checked field by field: a bad value is refused with its
// field name and value, never guessed.
import { durationSeconds } from '../../lib/rules.js';

export interface Fleet {
  /** Distinct services scraped. */
  readonly services: number;
  /** Pods (scrape targets) per service. */
  readonly replicasPerService: number;
  /** Series one pod exposes (`count({pod="…"})`, or the lines of its /metrics). */
  readonly seriesPerReplica: number;
  /** Head series per active series: series that churned in the last ~3 h still sit in memory. */
  readonly churnFactor: number;
  readonly scrapeInterval: string;
  readonly prometheus: {
    /** Replicas scraping the same targets: 2 for the HA pair. */
    readonly replicas: number;
    /** The container limits of one replica (the production overlay: 8 GiB, 2 cores). */
    readonly memoryGiB: number;
    readonly cpuCores: number;
    /** Share of the limits the ingestion may take; the rest is for queries, rules, compaction. */
    readonly usableFraction: number;
    readonly retention: string;
  };
  readonly longTerm: { readonly retention: string; readonly replicationFactor: number };
  readonly users: {
    readonly dailyActive: number;
    readonly monthlyActive: number;
    /** Adds per active user and day: flush intervals the user is active in × replicas hit. */
    readonly addsPerActiveUserPerDay: number;
    /** Key prefixes (a prefix is one set of KPI counts; services sharing it share counts). */
    readonly kpiPrefixes: number;
    readonly subscribedCustomers: number;
  };
}

type Input = Record<string, unknown>;

function section(input: Input, name: string): Input {
  const value = input[name];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`fleet: ${name} must be a mapping, got ${JSON.stringify(value)}`);
  }
  return value as Input;
}

function count(input: Input, field: string, where: string, min = 1): number {
  const value = input[field];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new TypeError(
      `fleet: ${where}${field} must be a whole number >= ${min}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function positive(input: Input, field: string, where: string, fallback?: number): number {
  const value = input[field] ?? fallback;
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
    throw new TypeError(
      `fleet: ${where}${field} must be a number > 0, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function duration(input: Input, field: string, where: string): string {
  const value = input[field];
  try {
    if (typeof value === 'string' && durationSeconds(value) > 0) return value;
  } catch {
    // reported below
  }
  throw new TypeError(
    `fleet: ${where}${field} must be a Prometheus duration such as 15s or 30d, got ${JSON.stringify(value)}`,
  );
}

/**
 * A fleet from parsed YAML/JSON; throws a TypeError naming the field and value it refuses.
 *
 * @example
 * validateFleet(parse(readFileSync('infra/capacity/fleet.example.yaml', 'utf8')));
 */
export function validateFleet(input: unknown): Fleet {
  if (typeof input !== 'object' || input === null) {
    throw new TypeError(`fleet: must be a mapping, got ${JSON.stringify(input)}`);
  }
  const fleet = input as Input;
  const prometheus = section(fleet, 'prometheus');
  const longTerm = section(fleet, 'longTerm');
  const users = section(fleet, 'users');
  const usableFraction = positive(prometheus, 'usableFraction', 'prometheus.', 0.5);
  if (usableFraction > 1) {
    throw new TypeError(
      `fleet: prometheus.usableFraction must be at most 1, got ${usableFraction}`,
    );
  }
  const churnFactor = positive(fleet, 'churnFactor', '', 1);
  if (churnFactor < 1) throw new TypeError(`fleet: churnFactor must be >= 1, got ${churnFactor}`);
  return {
    services: count(fleet, 'services', ''),
    replicasPerService: count(fleet, 'replicasPerService', ''),
    seriesPerReplica: count(fleet, 'seriesPerReplica', ''),
    churnFactor,
    scrapeInterval: duration(fleet, 'scrapeInterval', ''),
    prometheus: {
      replicas: count(prometheus, 'replicas', 'prometheus.'),
      memoryGiB: positive(prometheus, 'memoryGiB', 'prometheus.'),
      cpuCores: positive(prometheus, 'cpuCores', 'prometheus.'),
      usableFraction,
      retention: duration(prometheus, 'retention', 'prometheus.'),
    },
    longTerm: {
      retention: duration(longTerm, 'retention', 'longTerm.'),
      replicationFactor: count(longTerm, 'replicationFactor', 'longTerm.'),
    },
    users: {
      dailyActive: count(users, 'dailyActive', 'users.', 0),
      monthlyActive: count(users, 'monthlyActive', 'users.', 0),
      addsPerActiveUserPerDay: positive(users, 'addsPerActiveUserPerDay', 'users.'),
      kpiPrefixes: count(users, 'kpiPrefixes', 'users.'),
      subscribedCustomers: count(users, 'subscribedCustomers', 'users.', 0),
    },
  };
}
