// Every notification links to Grafana at the configured URL, on a dashboard that exists (by uid),
// narrowed by variables that dashboard has: rendered by amtool for every alert of infra/prometheus.
import { join } from 'node:path';
import { requireBinary } from '@ai-orchestrator/testkit';
import { describe, expect, it } from 'vitest';
import { alertRules } from '../lib/rules.js';
import {
  dashboards,
  firingLabels,
  grafanaUrlSetting,
  linkProblems,
  renderTemplate,
} from './notification.js';
import { INFRA, listDir, read } from './paths.js';

const amtool = requireBinary('amtool');
const TEMPLATES_DIR = join(INFRA, 'alertmanager', 'templates');
const templates = Object.fromEntries(
  listDir(TEMPLATES_DIR)
    .filter((f) => f.endsWith('.tmpl'))
    .map((f) => [f, read(join(TEMPLATES_DIR, f))]),
);

describe('notification templates', () => {
  it('hold Grafana’s URL once, on line 2 of grafana-url.tmpl, and no other URL of it', () => {
    expect(grafanaUrlSetting(templates['grafana-url.tmpl'] ?? '')).toBe('http://localhost:3000');
    const others = Object.entries(templates).filter(([f]) => f !== 'grafana-url.tmpl');
    for (const [file, text] of others) {
      expect(text, file).not.toMatch(/https?:\/\/(localhost|grafana)/);
      expect(text, file).not.toMatch(/define "aio\.grafana\.base"/);
    }
  });

  it('name only dashboard uids that exist', () => {
    const uids = [
      ...new Set(
        Object.values(templates)
          .join('\n')
          .match(/\baio-[a-z-]+\b/g),
      ),
    ];
    expect(uids.length).toBeGreaterThan(0);
    for (const uid of uids) expect([...dashboards().keys()], uid).toContain(uid);
  });
});

describe.skipIf(!amtool)('rendered notification links (amtool)', () => {
  const known = dashboards();
  const base = grafanaUrlSetting(templates['grafana-url.tmpl'] ?? '');
  const rules = alertRules();

  it.each(rules.map((r) => [r.alert, r.labels?.severity, r] as const))(
    '%s (%s) links to its dashboard by uid',
    (_name, _severity, rule) => {
      const labels = firingLabels(rule);
      const link = renderTemplate(amtool as string, templates, labels);
      expect(linkProblems(link, base, known)).toEqual([]);
      // The dashboard whose panels draw this alert's threshold, when one does.
      const showing = [...known.values()].filter((d) => d.alerts.has(labels.alertname ?? ''));
      if (showing.length > 0) {
        expect(
          showing.map((d) => d.uid),
          link,
        ).toContain(new URL(link).pathname.split('/')[2]);
      }
      if (labels.service && labels.service !== 'node-exporter') {
        expect(new URL(link).searchParams.get('var-service')).toBe(labels.service);
      }
    },
  );

  it('narrows a host alert to its node, and an SLO alert to its SLO', () => {
    const host = renderTemplate(amtool as string, templates, {
      alertname: 'DiskSpaceLow',
      service: 'node-exporter',
      instance: '10.0.0.7:9100',
    });
    expect(host).toBe(`${base}/d/aio-system-overview?orgId=1&var-node=10.0.0.7%3A9100`);
    const slo = renderTemplate(amtool as string, templates, {
      alertname: 'SLOLatencyBudgetBurn',
      service: 'demo gateway',
      slo: 'latency',
    });
    expect(slo).toBe(`${base}/d/aio-slo?orgId=1&var-service=demo+gateway&var-slo=latency`);
  });

  it.each(['aio.slack.text', 'aio.email.html'])('%s carries the link', (name) => {
    const labels = { alertname: 'HighErrorRate', service: 'demo-engine', severity: 'warning' };
    const link = renderTemplate(amtool as string, templates, labels);
    expect(renderTemplate(amtool as string, templates, labels, name)).toContain(link);
  });
});
