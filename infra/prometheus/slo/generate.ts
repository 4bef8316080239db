// Generates ../slo_rules.yml from spec.yaml: per-window SLI error ratios, the SLO metadata a
// standard SLO dashboard reads (Sloth's names), multiwindow multi-burn-rate alerts (Google SRE
// workbook, ch. 5), and ServiceAbsent for each service the SLOs cover.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse, stringify } from 'yaml';
import { durationSeconds } from '../../lib/rules.js';
import { validateSpec, windowsOf, type Policy, type Slo, type SloSpec } from './spec.js';

export { validateSpec } from './spec.js';
export const SPEC_FILE = fileURLToPath(new URL('./spec.yaml', import.meta.url));
export const OUTPUT_FILE = fileURLToPath(new URL('../slo_rules.yml', import.meta.url));

/** Windows of a day and more come from the recorded 5m rates, never from raw rate() over days. */
export const LONG_WINDOW_SECONDS = 86_400;
/** How often the long windows and the metadata are evaluated; they move slowly. */
export const LONG_GROUP_INTERVAL = '1m';
/** Longer than ServiceDown's 1m, so a service whose targets are all down pages as ServiceDown first. */
export const ABSENT_FOR = '5m';

type RuleDoc = Record<string, unknown>;

/** `SLOLatencyBudgetBurn` -> `slo-latency-budget-burn`, the runbook file name. */
export const kebab = (name: string): string =>
  name
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase();
const indent = (text: string): string => text.replace(/\n/g, '\n  ');
const fill = (q: string, window: string): string => q.trim().replaceAll('{{window}}', window);
const sel = (name: string, slo: Slo): string => `${name}{slo="${slo.name}"}`;
const record = (name: string, expr: string, slo: Slo): RuleDoc => ({
  record: name,
  expr: expr.includes('\n') ? `${expr}\n` : expr,
  labels: { slo: slo.name },
});

/** Errors over a window; `or total * 0` keeps it at 0 instead of absent when nothing failed. */
function errors(slo: Slo, window: string): string {
  return `(\n  ${indent(fill(slo.errors, window))}\n)\nor\n${fill(slo.total, window)} * 0`;
}

/** A short window's ratio from raw counters (at most hours of samples per evaluation). */
function rawRatio(slo: Slo, window: string): RuleDoc {
  const total = fill(slo.total, window);
  const expr = `(\n  ${indent(errors(slo, window))}\n)\n/\n${total}`;
  return record(`slo:sli_error:ratio_rate${window}`, expr, slo);
}

/**
 * A long window's ratio from the recorded 5m rates, weighted by traffic: errors over the window
 * divided by events over the window, as raw rate() would give. A mean of 5m ratios (Sloth) weighs
 * a quiet night like a busy day and turns NaN once any 5m window had no traffic.
 */
function longRatio(slo: Slo, window: string): RuleDoc {
  const expr =
    `sum_over_time(${sel('slo:sli_error:rate5m', slo)}[${window}])\n/\n` +
    `sum_over_time(${sel('slo:sli_total:rate5m', slo)}[${window}])`;
  return record(`slo:sli_error:ratio_rate${window}`, expr, slo);
}

function shortRules(spec: SloSpec, slo: Slo): RuleDoc[] {
  const short = windowsOf(spec).filter((w) => w !== '5m' && !isLong(w));
  return [
    record('slo:sli_error:rate5m', errors(slo, '5m'), slo),
    record('slo:sli_total:rate5m', fill(slo.total, '5m'), slo),
    record(
      'slo:sli_error:ratio_rate5m',
      `${sel('slo:sli_error:rate5m', slo)}\n/\n${sel('slo:sli_total:rate5m', slo)}`,
      slo,
    ),
    ...short.map((w) => rawRatio(slo, w)),
  ];
}

const isLong = (window: string): boolean => durationSeconds(window) >= LONG_WINDOW_SECONDS;

/** Sloth's SLO metadata: objective, budget and period per SLO; burn rates per service. */
function metadataRules(spec: SloSpec, slo: Slo): RuleDoc[] {
  const days = durationSeconds(spec.budgetPeriod) / 86_400;
  const budget = sel('slo:error_budget:ratio', slo);
  const burn = (ratio: string): string => `${sel(ratio, slo)}\n/ on (slo) group_left ()\n${budget}`;
  return [
    record('slo:objective:ratio', `vector(${slo.objective})`, slo),
    record('slo:error_budget:ratio', `vector(1 - ${slo.objective})`, slo),
    record('slo:time_period:days', `vector(${days})`, slo),
    record('slo:current_burn_rate:ratio', burn('slo:sli_error:ratio_rate5m'), slo),
    record('slo:period_burn_rate:ratio', burn(`slo:sli_error:ratio_rate${spec.budgetPeriod}`), slo),
    record(
      'slo:period_error_budget_remaining:ratio',
      `1 - ${sel('slo:period_burn_rate:ratio', slo)}`,
      slo,
    ),
    // The name the first dashboards read; same value as the line above.
    record(
      'slo:error_budget:remaining_ratio',
      sel('slo:period_error_budget_remaining:ratio', slo),
      slo,
    ),
  ];
}

function alertRule(spec: SloSpec, slo: Slo, policy: Policy): RuleDoc {
  const budget = `(1 - ${slo.objective})`;
  const ratio = (w: string): string => sel(`slo:sli_error:ratio_rate${w}`, slo);
  const expr = policy.windows
    .map(
      (w) =>
        `(\n  ${ratio(w.long)} > (${w.burnRate} * ${budget})\n  and\n  ${ratio(w.short)} > (${w.burnRate} * ${budget})\n)`,
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

/** absent() yields no labels from `up == 1`, so the service is written into labels and text. */
function absentRule(spec: SloSpec, service: string): RuleDoc {
  return {
    alert: 'ServiceAbsent',
    expr: `absent(up{service="${service}"} == 1)`,
    for: ABSENT_FOR,
    labels: { severity: 'critical', priority: 'P0', service },
    annotations: {
      summary: `${service} has no target up`,
      description:
        `Prometheus has had no target of ${service} that is up for ${ABSENT_FOR}: it is scaled to ` +
        'zero, lost its endpoints or its `monitoring: enabled` label, or discovery broke. While ' +
        'a target of it is down, ServiceDown pages instead.',
      runbook_url: `${spec.runbookBase}service-absent.md`,
    },
  };
}

/** The text of slo_rules.yml for a validated spec. */
export function generateSloRules(spec: SloSpec): string {
  const long = windowsOf(spec).filter(isLong);
  const groups = spec.slos.flatMap((slo) => [
    { name: `slo-${slo.name}`, rules: shortRules(spec, slo) },
    {
      name: `slo-${slo.name}-long`,
      interval: LONG_GROUP_INTERVAL,
      rules: [...long.map((w) => longRatio(slo, w)), ...metadataRules(spec, slo)],
    },
    { name: `slo-${slo.name}-alerts`, rules: spec.policies.map((p) => alertRule(spec, slo, p)) },
  ]);
  groups.push({ name: 'slo-services', rules: spec.services.map((s) => absentRule(spec, s)) });
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
