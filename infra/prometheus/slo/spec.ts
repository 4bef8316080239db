// The SLO spec (spec.yaml) as types, and its validation: a bad field throws a TypeError that names
// the field, the value and what is allowed.
import { durationSeconds } from '../../lib/rules.js';

export interface BurnWindow {
  readonly long: string;
  readonly short: string;
  readonly burnRate: number;
}

export interface Policy {
  readonly name: string;
  readonly severity: 'critical' | 'warning' | 'info';
  readonly priority: 'P0' | 'P1' | 'P2';
  readonly for: string;
  readonly windows: readonly BurnWindow[];
}

export interface Slo {
  readonly name: string;
  readonly alert: string;
  readonly objective: number;
  readonly title: string;
  readonly errors: string;
  readonly total: string;
}

export interface SloSpec {
  readonly budgetPeriod: string;
  readonly runbookBase: string;
  /** The services the SLOs cover: each pages (ServiceAbsent) when none of its targets is up. */
  readonly services: readonly string[];
  readonly policies: readonly Policy[];
  readonly slos: readonly Slo[];
}

const DURATION = /^[0-9]+[smhdw]$/;
const SERVICE = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

function fail(field: string, value: unknown, allowed: string): never {
  throw new TypeError(`slo spec: ${field} is ${JSON.stringify(value)}; expected ${allowed}`);
}

function str(
  obj: Record<string, unknown>,
  field: string,
  path: string,
  re?: RegExp,
  allowed = re ? `a string matching ${String(re)}` : 'a non-empty string',
): string {
  const v = obj[field];
  if (typeof v !== 'string' || v.trim() === '' || (re && !re.test(v))) {
    fail(`${path}.${field}`, v, allowed);
  }
  return v;
}

function list(obj: Record<string, unknown>, field: string, path: string): unknown[] {
  const v = obj[field];
  if (!Array.isArray(v) || v.length === 0) fail(`${path}.${field}`, v, 'a non-empty list');
  return v as unknown[];
}

const records = (obj: Record<string, unknown>, field: string, path: string) =>
  list(obj, field, path) as Record<string, unknown>[];

function policy(p: Record<string, unknown>, i: number): Policy {
  const path = `policies[${i}]`;
  const windows = records(p, 'windows', path).map((w, j): BurnWindow => {
    const wp = `${path}.windows[${j}]`;
    if (typeof w.burnRate !== 'number' || !(w.burnRate > 0)) {
      fail(`${wp}.burnRate`, w.burnRate, 'a positive number');
    }
    return {
      long: str(w, 'long', wp, DURATION),
      short: str(w, 'short', wp, DURATION),
      burnRate: w.burnRate,
    };
  });
  return {
    name: str(p, 'name', path),
    severity: str(p, 'severity', path, /^(critical|warning|info)$/) as Policy['severity'],
    priority: str(p, 'priority', path, /^P[012]$/) as Policy['priority'],
    for: str(p, 'for', path, DURATION),
    windows,
  };
}

function slo(s: Record<string, unknown>, i: number): Slo {
  const path = `slos[${i}]`;
  if (typeof s.objective !== 'number' || !(s.objective > 0 && s.objective < 1)) {
    fail(`${path}.objective`, s.objective, 'a number between 0 and 1 (exclusive)');
  }
  return {
    name: str(s, 'name', path, /^[a-z_]+$/),
    alert: str(s, 'alert', path, /^[A-Z][A-Za-z0-9]*$/),
    objective: s.objective,
    title: str(s, 'title', path),
    errors: str(s, 'errors', path, /\{\{window\}\}/, 'a PromQL expression using {{window}}'),
    total: str(s, 'total', path, /\{\{window\}\}/, 'a PromQL expression using {{window}}'),
  };
}

/**
 * Checks the parsed spec and returns it typed; a bad field throws a TypeError naming it.
 *
 * @example
 * validateSpec(parse(readFileSync('infra/prometheus/slo/spec.yaml', 'utf8'))).budgetPeriod; // '30d'
 */
export function validateSpec(raw: unknown): SloSpec {
  if (typeof raw !== 'object' || raw === null) fail('spec', raw, 'a mapping');
  const spec = raw as Record<string, unknown>;
  const services = list(spec, 'services', 'spec').map((s, i) => {
    if (typeof s !== 'string' || !SERVICE.test(s)) {
      fail(`spec.services[${i}]`, s, 'a Kubernetes Service name such as "demo-gateway"');
    }
    return s;
  });
  return {
    budgetPeriod: str(spec, 'budgetPeriod', 'spec', DURATION),
    runbookBase: str(spec, 'runbookBase', 'spec', /^https?:\/\/.+\/$/),
    services,
    policies: records(spec, 'policies', 'spec').map(policy),
    slos: records(spec, 'slos', 'spec').map(slo),
  };
}

/** Every window a rule or alert needs, short to long, always including 5m and the budget period. */
export function windowsOf(spec: SloSpec): string[] {
  const all = new Set(['5m', spec.budgetPeriod]);
  for (const p of spec.policies) for (const w of p.windows) all.add(w.long).add(w.short);
  return [...all].sort((a, b) => durationSeconds(a) - durationSeconds(b));
}
