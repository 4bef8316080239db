// The committed dashboards are what the TypeScript sources generate, valid for Grafana, and
// every query they send names metrics that exist, with thresholds that match the alerts.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { knownMetrics, metricNamesIn } from '../../infra/lib/promql.js';
import { alertRules, heartbeatAlerts, THRESHOLDS } from '../src/alerts.js';
import { render } from '../src/generate.js';
import { stableJson } from '../src/json.js';
import { FILTER, matchers } from '../src/selectors.js';
import { BURN_WINDOWS } from '../src/slo.js';
import { DASHBOARD_SCHEMA } from './dashboard-schema.js';
import { allPanels, committed, labelValuesQuery, substitute, variablesIn } from './panels.js';

const RUNBOOKS = fileURLToPath(new URL('../../infra/runbooks/', import.meta.url));
const dashboards = committed();
const panels = allPanels();

/** Any concrete value stands in for a dashboard variable when only the syntax matters. */
function concrete(text: string): string {
  const mine = variablesIn(text).filter((v) => !v.startsWith('__'));
  return substitute(text, Object.fromEntries(mine.map((v) => [v, 'x'])));
}

/** Every series a recording rule reads: a panel should read the rule instead. */
function seriesWithRules(): Set<string> {
  const names = new Set<string>();
  for (const file of ['recording_rules.yml', 'slo_rules.yml', 'genai_rules.yml']) {
    const doc = parse(
      readFileSync(new URL(`../../infra/prometheus/${file}`, import.meta.url), 'utf8'),
    ) as {
      groups: { rules: { record?: string; expr: string }[] }[];
    };
    for (const rule of doc.groups.flatMap((g) => g.rules)) {
      if (!rule.record) continue;
      // Rules that read other rules do not make those rules raw series.
      for (const n of metricNamesIn(String(rule.expr))) if (!n.includes(':')) names.add(n);
    }
  }
  return names;
}

describe('generation', () => {
  it('writes exactly the committed files (run `pnpm dashboards` after editing src/)', () => {
    const fresh = render();
    expect([...fresh.keys()]).toEqual(dashboards.map((d) => d.file));
    for (const { file, text } of dashboards) expect(text, file).toBe(fresh.get(file));
  });

  it('writes JSON with sorted keys and a trailing newline', () => {
    expect(stableJson({ b: 1, a: { d: [3, { f: 1, e: 2 }], c: () => 0 } })).toBe(
      '{\n  "a": {\n    "d": [\n      3,\n      {\n        "e": 2,\n        "f": 1\n      }\n    ]\n  },\n  "b": 1\n}\n',
    );
  });
});

describe('sources', () => {
  const SRC = fileURLToPath(new URL('../src/', import.meta.url));
  const sources = readdirSync(SRC).filter((f) => f.endsWith('.ts') && f !== 'selectors.ts');

  it('take every variable filter from selectors.ts: no matcher literal, no one-letter constant', () => {
    for (const file of sources) {
      const text = readFileSync(`${SRC}${file}`, 'utf8');
      expect(text.match(/=~"\$/g) ?? [], `${file} writes its own variable matcher`).toEqual([]);
      expect(text.match(/^(export )?const [A-Z]{1,2} = /gm) ?? [], file).toEqual([]);
    }
  });

  it('matchers() keeps what each variable selected, one label=~"$variable" per filter', () => {
    expect(matchers('service', ['instance', 'node'])).toBe(
      'service=~"$service", instance=~"$node"',
    );
    expect(FILTER.serviceEngineInstance).toBe(
      'service=~"$service", engine_type=~"$engine_type", instance=~"$instance"',
    );
  });
});

describe('Grafana validity', () => {
  const validate = new Ajv({ allErrors: true }).compile(DASHBOARD_SCHEMA);

  it.each(dashboards.map((d) => [d.file, d.dashboard] as const))(
    '%s matches the dashboard schema',
    (_file, dashboard) => {
      const ok = validate(dashboard);
      expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 1)).toEqual([]);
      expect(ok).toBe(true);
    },
  );

  it('has stable, unique uids and titles', () => {
    expect(dashboards.map((d) => d.dashboard.uid)).toEqual([
      'aio-system-overview',
      'aio-workflow-metrics',
      'aio-business-kpis',
      'aio-slo',
      'aio-ai-engines',
    ]);
    expect(new Set(dashboards.map((d) => d.dashboard.title)).size).toBe(dashboards.length);
  });

  it.each(dashboards.map((d) => [d.file, d.dashboard] as const))(
    '%s: unique panel ids, unique refIds per panel, panels that do not overlap',
    (_file, dashboard) => {
      const ids = dashboard.panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      const cells = new Set<string>();
      for (const p of dashboard.panels as unknown as {
        gridPos: { x: number; y: number; w: number; h: number };
        targets?: { refId: string }[];
      }[]) {
        const { x, y, w, h } = p.gridPos;
        expect(x + w).toBeLessThanOrEqual(24);
        for (let i = x; i < x + w; i++) {
          for (let j = y; j < y + h; j++) {
            expect(cells.has(`${i},${j}`), `overlap at ${i},${j}`).toBe(false);
            cells.add(`${i},${j}`);
          }
        }
        const refIds = (p.targets ?? []).map((t) => t.refId);
        expect(new Set(refIds).size).toBe(refIds.length);
      }
    },
  );

  it.each(dashboards.map((d) => [d.file, d.dashboard] as const))(
    '%s: datasource, service and instance variables, each defined one used and each used one defined',
    (_file, dashboard) => {
      const names = dashboard.templating.list.map((v) => v.name);
      expect(names.slice(0, 3)).toEqual(['datasource', 'service', 'instance']);
      const json = JSON.stringify(dashboard.panels);
      const used = new Set([
        ...variablesIn(json),
        ...dashboard.templating.list.flatMap((v) => variablesIn(v.definition ?? '')),
      ]);
      for (const name of used) {
        if (name.startsWith('__')) continue;
        expect(names, `$${name} is used but not defined`).toContain(name);
      }
      for (const name of names) expect(used, `$${name} is defined but never used`).toContain(name);
    },
  );

  it('shows a legend on every time series, with thresholds in ascending order', () => {
    for (const { panel } of panels) {
      if (panel.type === 'timeseries')
        expect(panel.options?.legend?.showLegend, panel.title).toBe(true);
      const steps = panel.fieldConfig?.defaults.thresholds?.steps ?? [];
      expect(steps[0]?.value, panel.title).toBeNull();
      const values = steps.slice(1).map((s) => s.value as number);
      expect(values).toEqual([...values].sort((a, b) => a - b));
    }
  });

  it('shows host saturation beside utilisation: load per CPU, page faults, drops, disk I/O', () => {
    const host = panels
      .filter(({ file }) => file === 'system-overview.json')
      .flatMap(({ panel }) => (panel.targets ?? []).map((t) => metricNamesIn(concrete(t.expr))))
      .flat();
    for (const metric of [
      'instance:node_load1_per_cpu:ratio',
      'node_vmstat_pgmajfault',
      'node_network_receive_drop_total',
      'node_network_transmit_drop_total',
      'node_disk_io_time_seconds_total',
    ]) {
      expect(host, metric).toContain(metric);
    }
  });

  it('shows exemplars on every latency panel', () => {
    const latency = panels.filter(({ panel }) => /latency|duration/i.test(panel.title));
    expect(latency.length).toBeGreaterThanOrEqual(4);
    for (const { panel } of latency) {
      if (panel.type !== 'timeseries') continue;
      const exemplar = (panel.targets ?? []).filter((t) => t.exemplar);
      expect(exemplar.length, panel.title).toBe(1);
      // Exemplars live on the raw histogram buckets (a selector, or a __name__ matcher of
      // bucket names), never on a recording rule.
      expect(exemplar[0]?.expr).toMatch(/_bucket(\{|")/);
    }
  });
});

describe('queries', () => {
  const known = knownMetrics();

  it.each(
    panels.flatMap(({ file, panel }) =>
      (panel.targets ?? []).map((t) => [file, panel.title, t.refId, t.expr] as const),
    ),
  )('%s / %s / %s parses as PromQL and names only known metrics', (_file, _title, _refId, expr) => {
    const names = metricNamesIn(concrete(expr));
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(known, `unknown metric ${name}`).toContain(name);
  });

  it('variable queries are label_values() over known metrics', () => {
    for (const { dashboard } of dashboards) {
      for (const v of dashboard.templating.list) {
        if (v.type !== 'query') continue;
        const { selector } = labelValuesQuery(v.definition ?? '');
        for (const name of metricNamesIn(concrete(selector))) expect(known).toContain(name);
      }
    }
  });

  it('reads a recording rule wherever one aggregates the raw series', () => {
    // Reading a raw series is only right for exemplars (rules drop them), per-instance views
    // (rules aggregate instances away) and totals over the dashboard's time range.
    const ruled = seriesWithRules();
    let raw = 0;
    for (const { panel } of panels) {
      for (const t of panel.targets ?? []) {
        if (!metricNamesIn(concrete(t.expr)).some((n) => ruled.has(n))) continue;
        raw++;
        const why = t.exemplar === true || /instance=~"\$instance"|\[\$__range\]/.test(t.expr);
        expect(why, `${panel.title} ${t.refId}: ${t.expr}`).toBe(true);
      }
    }
    expect(raw).toBeLessThan(20);
  });

  it('reads business gauges with max, never sum', () => {
    for (const { panel } of panels) {
      for (const t of panel.targets ?? []) {
        expect(t.expr).not.toMatch(
          /sum[^(]*\([^)]*(business_active_users|business_monthly_recurring_revenue|business_kpi_last_success)/,
        );
      }
    }
  });
});

describe('alerts and runbooks', () => {
  const rules = alertRules();

  it.each(Object.entries(THRESHOLDS))(
    '%s threshold %s is the one its alert compares with',
    (alert, value) => {
      const exprs = (rules.get(alert) ?? []).map((r) => r.expr);
      expect(exprs.length, `${alert} missing from infra/prometheus`).toBeGreaterThan(0);
      const compared = exprs.flatMap((e) =>
        [...e.matchAll(/[<>]=?\s*([0-9.]+)/g)].map((m) => Number(m[1])),
      );
      expect(compared).toContain(value);
    },
  );

  it('draws the burn-rate thresholds the SLO alerts use', () => {
    const exprs = [...rules.entries()]
      .filter(([name]) => name.startsWith('SLO'))
      .flatMap(([, r]) => r.map((x) => x.expr))
      .join('\n');
    for (const w of BURN_WINDOWS) {
      expect(exprs).toContain(`ratio_rate${w.long}{`);
      expect(exprs).toMatch(new RegExp(`ratio_rate${w.short}\\{[^}]*\\} > \\(${w.burnRate} \\*`));
    }
  });

  it('counts firing alerts without any that always fire (the Watchdog heartbeat)', () => {
    const always = [...rules].filter(([, r]) => r.every((x) => metricNamesIn(x.expr).length === 0));
    expect(always.map(([name]) => name)).toContain('Watchdog');
    expect(heartbeatAlerts().sort()).toEqual(always.map(([name]) => name).sort());
    const panel = panels.find(({ panel: p }) => p.title === 'Firing alerts')?.panel;
    const expr = panel?.targets?.[0]?.expr ?? '';
    expect(expr).toContain('alertstate="firing"');
    for (const [name] of always) expect(expr).toContain(`alertname!="${name}"`);
  });

  it('links panels to runbooks that exist, the same URL the alert carries', () => {
    let links = 0;
    for (const { panel } of panels) {
      for (const link of panel.links ?? []) {
        const alert = link.title.replace(/^Runbook: /, '');
        expect(link.url).toBe(rules.get(alert)?.[0]?.annotations?.runbook_url);
        expect(existsSync(`${RUNBOOKS}${basename(link.url)}`), link.url).toBe(true);
        links++;
      }
    }
    expect(links).toBeGreaterThanOrEqual(15);
  });
});
