import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { alertRules, durationSeconds, loadRuleGroups } from '../../lib/rules.js';
import {
  LONG_WINDOW_SECONDS,
  OUTPUT_FILE,
  SPEC_FILE,
  generateFromFile,
  generateSloRules,
  kebab,
  validateSpec,
} from './generate.js';

const spec = parse(readFileSync(SPEC_FILE, 'utf8')) as Record<string, unknown>;

interface GeneratedRule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
}
interface GeneratedGroup {
  name: string;
  interval?: string;
  rules: GeneratedRule[];
}
const generated = (raw: Record<string, unknown> = spec): GeneratedGroup[] =>
  (parse(generateSloRules(validateSpec(raw))) as { groups: GeneratedGroup[] }).groups;
const group = (name: string): GeneratedGroup => {
  const found = generated().find((g) => g.name === name);
  if (!found) throw new Error(`no group ${name}`);
  return found;
};

describe('SLO rules generator', () => {
  it('matches the committed slo_rules.yml (run `pnpm --filter @ai-orchestrator/infra generate:slo`)', () => {
    expect(readFileSync(OUTPUT_FILE, 'utf8')).toBe(generateFromFile());
  });

  it('pages at 14.4x (1h/5m) and 6x (6h/30m), tickets at 3x (1d/2h) and 1x (3d/6h) of a 30d budget', () => {
    const [page, ticket] = group('slo-availability-alerts').rules;
    expect(page?.labels).toEqual({ severity: 'critical', priority: 'P0', slo: 'availability' });
    expect(page?.expr).toContain(
      'slo:sli_error:ratio_rate1h{slo="availability"} > (14.4 * (1 - 0.99))',
    );
    expect(page?.expr).toContain(
      'slo:sli_error:ratio_rate5m{slo="availability"} > (14.4 * (1 - 0.99))',
    );
    expect(page?.expr).toContain(
      'slo:sli_error:ratio_rate30m{slo="availability"} > (6 * (1 - 0.99))',
    );
    expect(ticket?.labels).toEqual({ severity: 'warning', priority: 'P1', slo: 'availability' });
    expect(ticket?.expr).toContain(
      'slo:sli_error:ratio_rate3d{slo="availability"} > (1 * (1 - 0.99))',
    );
    expect(ticket?.expr).toContain(
      'slo:sli_error:ratio_rate2h{slo="availability"} > (3 * (1 - 0.99))',
    );
  });

  it('never runs rate() over a day or more: long windows sum the recorded 5m rates, once a minute', () => {
    for (const g of generated()) {
      for (const rule of g.rules) {
        for (const [, range] of rule.expr.matchAll(/rate\([^()]*\[(\w+)\]\)/g)) {
          expect(durationSeconds(range as string), `${g.name} ${rule.record}`).toBeLessThan(
            LONG_WINDOW_SECONDS,
          );
        }
      }
    }
    const long = group('slo-latency-long');
    expect(long.interval).toBe('1m');
    const thirty = long.rules.find((r) => r.record === 'slo:sli_error:ratio_rate30d');
    expect(thirty?.expr.trim()).toBe(
      'sum_over_time(slo:sli_error:rate5m{slo="latency"}[30d])\n/\n' +
        'sum_over_time(slo:sli_total:rate5m{slo="latency"}[30d])',
    );
    for (const w of ['1d', '3d', '30d']) {
      expect(long.rules.map((r) => r.record)).toContain(`slo:sli_error:ratio_rate${w}`);
    }
  });

  it('records the SLO metadata of Sloth: objective, budget, period, burn rates, remaining budget', () => {
    const meta = Object.fromEntries(
      group('slo-availability-long')
        .rules.filter((r) => r.record && !r.record.startsWith('slo:sli_error'))
        .map((r) => [r.record, r.expr.trim()]),
    );
    expect(meta).toEqual({
      'slo:objective:ratio': 'vector(0.99)',
      'slo:error_budget:ratio': 'vector(1 - 0.99)',
      'slo:time_period:days': 'vector(30)',
      'slo:current_burn_rate:ratio':
        'slo:sli_error:ratio_rate5m{slo="availability"}\n/ on (slo) group_left ()\nslo:error_budget:ratio{slo="availability"}',
      'slo:period_burn_rate:ratio':
        'slo:sli_error:ratio_rate30d{slo="availability"}\n/ on (slo) group_left ()\nslo:error_budget:ratio{slo="availability"}',
      'slo:period_error_budget_remaining:ratio':
        '1 - slo:period_burn_rate:ratio{slo="availability"}',
      'slo:error_budget:remaining_ratio':
        'slo:period_error_budget_remaining:ratio{slo="availability"}',
    });
  });

  it('raises ServiceAbsent for every service of the spec, slower than ServiceDown', () => {
    const absent = group('slo-services').rules;
    expect(absent.map((r) => r.expr)).toEqual(
      (spec.services as string[]).map((s) => `absent(up{service="${s}"} == 1)`),
    );
    const serviceDown = alertRules(loadRuleGroups()).find((r) => r.alert === 'ServiceDown');
    for (const rule of absent) {
      expect(rule.labels).toMatchObject({ severity: 'critical', priority: 'P0' });
      // ServiceDown must already page when ServiceAbsent fires, so the inhibition holds it back.
      expect(durationSeconds(rule.for as string)).toBeGreaterThan(
        durationSeconds(serviceDown?.for as string),
      );
    }
  });

  it('turns alert names into runbook file names', () => {
    expect(kebab('SLOWorkflowSuccessBudgetBurn')).toBe('slo-workflow-success-budget-burn');
    expect(kebab('HighCPUUsage')).toBe('high-cpu-usage');
  });

  it('rejects a bad spec with a TypeError naming the field, the value and what is allowed', () => {
    const slos = spec.slos as Record<string, unknown>[];
    const bad = { ...spec, slos: [{ ...slos[0], objective: 99 }] };
    expect(() => validateSpec(bad)).toThrow(
      new TypeError(
        'slo spec: slos[0].objective is 99; expected a number between 0 and 1 (exclusive)',
      ),
    );
    expect(() => validateSpec({ ...spec, budgetPeriod: '30 days' })).toThrow(
      /spec\.budgetPeriod is "30 days"/,
    );
    expect(() => validateSpec({ ...spec, slos: [{ ...slos[0], errors: 'rate(x[5m])' }] })).toThrow(
      /slos\[0\]\.errors is "rate\(x\[5m\]\)"; expected a PromQL expression using \{\{window\}\}/,
    );
    expect(() => validateSpec({ ...spec, services: ['demo-gateway', 'Demo Engine'] })).toThrow(
      new TypeError(
        'slo spec: spec.services[1] is "Demo Engine"; expected a Kubernetes Service name such as "demo-gateway"',
      ),
    );
    expect(() => validateSpec({ ...spec, services: [] })).toThrow(/spec\.services is \[\]/);
    expect(() => validateSpec(null)).toThrow(TypeError);
  });
});
