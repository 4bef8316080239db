// Generates ../slo_rules.yml from spec.yaml: per-window SLI error ratios, the objective, the
// remaining budget and multiwindow, multi-burn-rate alerts (Google SRE workbook, ch. 5).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse, stringify } from 'yaml';

export const SPEC_FILE = fileURLToPath(new URL('./spec.yaml', import.meta.url));
export const OUTPUT_FILE = fileURLToPath(new URL('../slo_rules.yml', import.meta.url));

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
  readonly policies: readonly Policy[];
  readonly slos: readonly Slo[];
}

const DURATION = /^[0-9]+[smhdw]$/;

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

function list(
  obj: Record<string, unknown>,
  field: string,
  path: string,
): Record<string, unknown>[] {
  const v = obj[field];
  if (!Array.isArray(v) || v.length === 0) fail(`${path}.${field}`, v, 'a non-empty list');
  return v as Record<string, unknown>[];
}

/** Checks the parsed spec and returns it typed; a bad field throws a TypeError naming it. */
export function validateSpec(raw: unknown): SloSpec {
  if (typeof raw !== 'object' || raw === null) fail('spec', raw, 'a mapping');
  const spec = raw as Record<string, unknown>;
  const policies = list(spec, 'policies', 'spec').map((p, i): Policy => {
    const path = `policies[${i}]`;
    const windows = list(p, 'windows', path).map((w, j): BurnWindow => {
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
  });
  const slos = list(spec, 'slos', 'spec').map((s, i): Slo => {
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
  });
  return {
    budgetPeriod: str(spec, 'budgetPeriod', 'spec', DURATION),
    runbookBase: str(spec, 'runbookBase', 'spec', /^https?:\/\/.+\/$/),
    policies,
    slos,
  };
}

/** Every window a rule or alert needs, short to long, always including the budget period. */
function windowsOf(spec: SloSpec): string[] {
  const seconds = (d: string): number =>
    Number(d.slice(0, -1)) * { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[d.slice(-1) as 's'];
  const all = new Set(['5m', spec.budgetPeriod]);
  for (const p of spec.policies) for (const w of p.windows) all.add(w.long).add(w.short);
  return [...all].sort((a, b) => seconds(a) - seconds(b));
}

/** `SLOLatencyBudgetBurn` -> `slo-latency-budget-burn`, the runbook file name. */
export const kebab = (name: string): string =>
  name
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase();
const indent = (text: string): string => text.replace(/\n/g, '\n  ');

function ratioRule(slo: Slo, window: string): Record<string, unknown> {
  const fill = (q: string): string => indent(q.trim().replaceAll('{{window}}', window));
  return {
    record: `slo:sli_error:ratio_rate${window}`,
    // `or total * 0` keeps the ratio at 0 instead of absent when nothing failed.
    expr: `(\n  (\n    ${indent(fill(slo.errors))}\n  )\n  or\n  ${fill(slo.total)} * 0\n)\n/\n${fill(slo.total).replace(/\n {2}/g, '\n')}\n`,
    labels: { slo: slo.name },
  };
}

function alertRule(spec: SloSpec, slo: Slo, policy: Policy): Record<string, unknown> {
  const budget = `(1 - ${slo.objective})`;
  const sel = (w: string): string => `slo:sli_error:ratio_rate${w}{slo="${slo.name}"}`;
  const expr = policy.windows
    .map(
      (w) =>
        `(\n  ${sel(w.long)} > (${w.burnRate} * ${budget})\n  and\n  ${sel(w.short)} > (${w.burnRate} * ${budget})\n)`,
    )
    .join('\nor\n');
  const rates = policy.windows.map((w) => `${w.burnRate}x over ${w.long}/${w.short}`).join(' or ');
  return {
    alert: slo.alert,
    expr: `${expr}\n`,
    for: policy.for,
    labels: { severity: policy.severity, priority: policy.priority, slo: slo.name },
    annotations: {
      summary: `{{ $labels.service }} is burning its ${slo.name} error budget (${policy.name})`,
      description:
        `SLO "${slo.title}" (objective ${slo.objective * 100}% over ${spec.budgetPeriod}): ` +
        `{{ $labels.service }} is spending its error budget at ${rates} the sustainable rate; ` +
        `error ratio {{ $value | humanizePercentage }}.`,
      runbook_url: `${spec.runbookBase}${kebab(slo.alert)}.md`,
    },
  };
}

/** The text of slo_rules.yml for a validated spec. */
export function generateSloRules(spec: SloSpec): string {
  const windows = windowsOf(spec);
  const groups = spec.slos.map((slo) => ({
    name: `slo-${slo.name}`,
    rules: [
      ...windows.map((w) => ratioRule(slo, w)),
      {
        record: 'slo:objective:ratio',
        expr: `vector(${slo.objective})`,
        labels: { slo: slo.name },
      },
      {
        record: 'slo:error_budget:remaining_ratio',
        expr: `1 - slo:sli_error:ratio_rate${spec.budgetPeriod}{slo="${slo.name}"} / (1 - ${slo.objective})\n`,
        labels: { slo: slo.name },
      },
      ...spec.policies.map((p) => alertRule(spec, slo, p)),
    ],
  }));
  const header =
    '# GENERATED by infra/prometheus/slo/generate.ts from slo/spec.yaml: do not edit.\n' +
    '# Regenerate with `pnpm --filter @ai-orchestrator/infra generate:slo`.\n';
  return header + stringify({ groups }, { lineWidth: 0, singleQuote: true });
}

/** Reads spec.yaml and returns the generated rules text. */
export function generateFromFile(specFile: string = SPEC_FILE): string {
  return generateSloRules(validateSpec(parse(readFileSync(specFile, 'utf8'))));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(OUTPUT_FILE, generateFromFile());
  console.log(`wrote ${OUTPUT_FILE}`);
}
