import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  OUTPUT_FILE,
  SPEC_FILE,
  generateFromFile,
  generateSloRules,
  kebab,
  validateSpec,
} from './generate.js';

const spec = parse(readFileSync(SPEC_FILE, 'utf8')) as Record<string, unknown>;

describe('SLO rules generator', () => {
  it('matches the committed slo_rules.yml (run `pnpm --filter @ai-orchestrator/infra generate:slo`)', () => {
    expect(readFileSync(OUTPUT_FILE, 'utf8')).toBe(generateFromFile());
  });

  it('pages at 14.4x (1h/5m) and 6x (6h/30m), tickets at 3x (1d/2h) and 1x (3d/6h) of a 30d budget', () => {
    const out = parse(generateSloRules(validateSpec(spec))) as {
      groups: {
        name: string;
        rules: { alert?: string; expr: string; labels: Record<string, string> }[];
      }[];
    };
    const availability = out.groups.find((g) => g.name === 'slo-availability');
    const [page, ticket] = (availability?.rules ?? []).filter((r) => r.alert);
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
    const remaining = availability?.rules.find((r) => r.expr.includes('ratio_rate30d{'));
    expect(remaining?.expr.trim()).toBe(
      '1 - slo:sli_error:ratio_rate30d{slo="availability"} / (1 - 0.99)',
    );
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
    expect(() => validateSpec(null)).toThrow(TypeError);
  });
});
