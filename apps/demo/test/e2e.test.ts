// The whole chain on real servers: the three demo services (built, traced with --import) under
// load with an injected error spike, scraped by a real Prometheus evaluating the repo's rules,
// alerts routed by a real Alertmanager (the repo's routing, receivers pointed at a local webhook),
// traces exported to a loopback OTLP receiver. Then `pnpm demo --duration 20` as a user runs it.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { requireBinary } from '@ai-orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { alertmanagerTestCopy } from '../../../infra/lib/alertmanager-test-config.js';
import {
  allPanels,
  committed,
  labelValuesQuery,
  substitute,
} from '../../../dashboards/test/panels.js';
import {
  startOtlpReceiver,
  type OtlpReceiver,
} from '../../../packages/tracing/test/otlp-receiver.js';
import {
  RULE_FILES,
  ROOT,
  startLoadgen,
  startLocalStack,
  startServices,
  type LocalStack,
  type Services,
} from '../src/index.js';

const prometheusBinary = requireBinary('prometheus');
const alertmanagerBinary = requireBinary('prometheus-alertmanager');

/** Recording rules and panels that need node-exporter, which this loopback stack does not run. */
const NEEDS_NODE_EXPORTER = /\bnode_|instance:node_/;
const NODE_EXPORTER_REASON =
  'host metrics come from node-exporter, not run here (dashboards/test/live.test.ts feeds them from a fixture)';

interface Series {
  metric: Record<string, string>;
}

/** The repo's rule files with every group evaluated each second and every `for` cut to 0s. */
function testRules(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of RULE_FILES) {
    const doc = parse(readFileSync(`${ROOT}/infra/prometheus/${name}`, 'utf8')) as {
      groups: { interval?: string; rules: { for?: string }[] }[];
    };
    for (const group of doc.groups) {
      group.interval = '1s';
      for (const rule of group.rules) if (rule.for !== undefined) rule.for = '0s';
    }
    files[name] = stringify(doc);
  }
  return files;
}

/** The maintenance window moved to a day that is not today, so it never mutes this run. */
function notToday(): unknown[] {
  const days = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
  const other = days[(new Date().getUTCDay() + 3) % 7];
  return [
    {
      name: 'weekly-maintenance',
      time_intervals: [{ weekdays: [other], times: [{ start_time: '02:00', end_time: '04:00' }] }],
    },
  ];
}

describe.skipIf(!prometheusBinary || !alertmanagerBinary)(
  'the demo on a real Prometheus and Alertmanager',
  () => {
    let receiver: OtlpReceiver;
    let services: Services;
    let stack: LocalStack;
    let loadgen: ChildProcess | undefined;
    const query = async (expr: string): Promise<Series[]> => {
      const res = await fetch(
        `${stack.prometheusUrl}/api/v1/query?${new URLSearchParams({ query: expr })}`,
      );
      const body = (await res.json()) as {
        status: string;
        data: { result: Series[] };
        error?: string;
      };
      if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
      return body.data.result;
    };
    const api = async <T>(path: string): Promise<T> =>
      ((await (await fetch(`${stack.prometheusUrl}/api/v1/${path}`)).json()) as { data: T }).data;
    const recordingRules = (): string[] =>
      RULE_FILES.flatMap((name) =>
        (
          parse(readFileSync(`${ROOT}/infra/prometheus/${name}`, 'utf8')) as {
            groups: { rules: { record?: string; expr: string }[] }[];
          }
        ).groups
          .flatMap((g) => g.rules)
          .filter(
            (r) =>
              r.record && !NEEDS_NODE_EXPORTER.test(r.record) && !NEEDS_NODE_EXPORTER.test(r.expr),
          )
          .map((r) => r.record as string),
      );

    beforeAll(async () => {
      receiver = await startOtlpReceiver();
      services = await startServices({
        env: {
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url,
          OTEL_BSP_SCHEDULE_DELAY: '500',
          // Prompts on the spans, to show they reach the wire only through the redaction.
          OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true',
        },
      });
      stack = (await startLocalStack({
        ports: services.ports,
        scrapeInterval: '1s',
        evaluationInterval: '1s',
        rules: testRules(),
        alertmanagerConfig: (webhook) =>
          alertmanagerTestCopy(
            readFileSync(`${ROOT}/infra/alertmanager/alertmanager.yml`, 'utf8'),
            webhook.replace(/\/alerts$/, ''),
            notToday(),
          ),
      })) as LocalStack;
      // Steady load, then an error spike at the gateway.
      loadgen = startLoadgen(
        { gateway: services.gatewayUrl, rps: 25, users: 300, durationS: 60 },
        () => undefined,
      );
      await sleep(3000);
      const spike = await fetch(`${services.gatewayUrl}/admin/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ errorRate: 0.5 }),
      });
      expect(spike.status).toBe(200);
      // Bounded wait for the chain: scrape -> rules -> alert -> Alertmanager -> webhook.
      const deadline = Date.now() + 60_000;
      while (
        Date.now() < deadline &&
        !stack.received.some((a) => a.labels.alertname === 'HighErrorRate')
      ) {
        await sleep(500);
      }
    }, 120_000);

    afterAll(async () => {
      loadgen?.kill('SIGKILL');
      await services?.stop();
      await stack?.stop();
      await receiver?.close();
    });

    it('has every scrape target up', async () => {
      const targets = await api<{
        activeTargets: { labels: Record<string, string>; health: string; lastError: string }[];
      }>('targets');
      expect(targets.activeTargets.length).toBe(5);
      for (const t of targets.activeTargets)
        expect(t.health, `${t.labels.service}: ${t.lastError}`).toBe('up');
    });

    it('has every rule group loaded and every rule healthy', async () => {
      const { groups } = await api<{
        groups: { name: string; rules: { name: string; health: string; lastError?: string }[] }[];
      }>('rules');
      expect(groups.length).toBeGreaterThan(3);
      for (const g of groups)
        for (const r of g.rules)
          expect(r.health, `${g.name}/${r.name} ${r.lastError ?? ''}`).toBe('ok');
    });

    it('has data for every recording rule (node-exporter ones aside)', async () => {
      const names = recordingRules();
      expect(names.length).toBeGreaterThan(25);
      const deadline = Date.now() + 30_000;
      let empty: string[] = names;
      while (Date.now() < deadline && empty.length > 0) {
        const results = await Promise.all(
          empty.map(async (n) => [n, (await query(n)).length] as const),
        );
        empty = results.filter(([, count]) => count === 0).map(([n]) => n);
        if (empty.length) await sleep(1000);
      }
      expect(empty).toEqual([]);
    });

    it('returns data for every dashboard panel query, with node-exporter panels the only exception', async () => {
      const failures: string[] = [];
      let checked = 0;
      let excused = 0;
      for (const { file, dashboard } of committed()) {
        const values: Record<string, string> = {};
        for (const v of dashboard.templating.list) {
          if (v.type !== 'query') continue;
          const { selector, label } = labelValuesQuery(v.definition ?? '');
          const found = await api<string[]>(
            `label/${label}/values?${new URLSearchParams({ 'match[]': substitute(selector, values) })}`,
          );
          values[v.name] =
            found.length > 0
              ? `(${found.map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\\\$&')).join('|')})`
              : '.*';
        }
        for (const { panel } of allPanels().filter((p) => p.file === file)) {
          for (const target of panel.targets ?? []) {
            if (NEEDS_NODE_EXPORTER.test(target.expr)) {
              excused += 1;
              continue;
            }
            checked += 1;
            const result = await query(substitute(target.expr, values));
            if (result.length === 0)
              failures.push(
                `${file} #${panel.id} ${panel.title} / ${target.refId}: ${target.expr}`,
              );
          }
        }
      }
      console.log(
        `panel queries: ${checked} returned data, ${excused} excused (${NODE_EXPORTER_REASON})`,
      );
      expect(checked).toBeGreaterThan(50);
      expect(failures).toEqual([]);
    });

    it('fires HighErrorRate on the error spike and delivers it through Alertmanager with labels and annotations', () => {
      const alert = stack.received.find(
        (a) => a.labels.alertname === 'HighErrorRate' && a.labels.service === 'demo-gateway',
      );
      expect(
        alert,
        `received: ${stack.received.map((a) => `${a.labels.alertname}/${a.receiver}`).join(', ')}`,
      ).toBeDefined();
      expect(alert?.status).toBe('firing');
      expect(alert?.labels).toMatchObject({
        severity: 'warning',
        priority: 'P1',
        service: 'demo-gateway',
      });
      expect(alert?.annotations.summary).toMatch(/demo-gateway/);
      expect(alert?.annotations.description).toMatch(/%/);
      expect(alert?.annotations.runbook_url).toMatch(/infra\/runbooks\/high-error-rate\.md$/);
      const receivers = new Set(
        stack.received.filter((a) => a.labels.alertname === 'HighErrorRate').map((a) => a.receiver),
      );
      // P1 goes to the Slack alerts channel and e-mail; the automation webhook sees every alert.
      expect([...receivers].sort()).toEqual(['automation-webhook', 'email-oncall', 'slack-alerts']);
    });

    it('stores exemplars whose trace ids are traces the OTLP receiver got', async () => {
      const now = Date.now() / 1000;
      const data = await api<{ exemplars: { labels: Record<string, string> }[] }[]>(
        `query_exemplars?${new URLSearchParams({ query: 'http_server_request_duration_seconds_bucket{service="demo-gateway"}', start: String(now - 300), end: String(now) })}`,
      );
      const traceIds = data
        .flatMap((s) => s.exemplars.map((e) => e.labels.trace_id))
        .filter(Boolean) as string[];
      expect(traceIds.length).toBeGreaterThan(0);
      await receiver.waitFor((spans) => spans.some((s) => traceIds.includes(s.traceId)), 15_000);
      const seen = new Set(receiver.spans().map((s) => s.traceId));
      expect(traceIds.some((id) => seen.has(id))).toBe(true);
      const services = new Set(receiver.spans().map((s) => s.resource['service.name']));
      expect([...services].sort()).toEqual(['demo-engine', 'demo-gateway', 'demo-orchestrator']);
    });

    it('traces each model call as a CLIENT span under its workflow: usage, spend, prompts redacted', async () => {
      const chat = (spans: ReturnType<typeof receiver.spans>) =>
        spans.filter(
          (s) => s.name === 'chat gpt-4o' && s.resource['service.name'] === 'demo-engine',
        );
      await receiver.waitFor((spans) => chat(spans).some((s) => s.status.code !== 2), 15_000);
      const span = chat(receiver.spans()).find((s) => s.status.code !== 2);
      expect(span?.kind).toBe(3); // CLIENT
      expect(span?.attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.request.stream': true,
        'gen_ai.usage.cost.currency': 'USD',
        'gen_ai.usage.cost.source': 'local',
      });
      expect(Number(span?.attributes['gen_ai.usage.input_tokens'])).toBeGreaterThan(0);
      expect(Number(span?.attributes['gen_ai.response.time_to_first_chunk'])).toBeGreaterThan(0);
      // The engine's system prompt names an e-mail address: captured, then masked before export.
      const input = String(span?.attributes['gen_ai.input.messages']);
      expect(input).toContain('Escalations go to');
      expect(input).toContain('[REDACTED]');
      expect(input).not.toContain('oncall@ai-orchestrator.example');
      // Its trace holds the orchestrator's workflow span: the engine call runs inside it.
      const trace = receiver.spans().filter((s) => s.traceId === span?.traceId);
      expect(
        trace.some(
          (s) =>
            s.name.startsWith('workflow ') && s.resource['service.name'] === 'demo-orchestrator',
        ),
      ).toBe(true);
      const tools = receiver.spans().filter((s) => s.name === 'execute_tool lookup_order');
      expect(tools.length).toBeGreaterThan(0);
    });

    it('stores exemplars on the GenAI histograms whose trace ids are the engine call spans', async () => {
      const now = Date.now() / 1000;
      const data = await api<{ exemplars: { labels: Record<string, string> }[] }[]>(
        `query_exemplars?${new URLSearchParams({ query: 'gen_ai_client_operation_duration_seconds_bucket{service="demo-engine"}', start: String(now - 300), end: String(now) })}`,
      );
      const spanIds = data.flatMap((s) => s.exemplars.map((e) => e.labels.span_id)).filter(Boolean);
      expect(spanIds.length).toBeGreaterThan(0);
      await receiver.waitFor((spans) => spans.some((s) => spanIds.includes(s.spanId)), 15_000);
      const linked = receiver.spans().filter((s) => spanIds.includes(s.spanId));
      expect(linked.every((s) => /^(chat|embeddings) /.test(s.name))).toBe(true);
    });

    it('stops every service cleanly on SIGTERM, flushing its spans first', async () => {
      const before = receiver.spans().length;
      const loadgenDone = new Promise((resolve) => loadgen?.once('exit', resolve));
      loadgen?.kill('SIGTERM');
      await loadgenDone;
      await services.stop();
      for (const s of services.list) {
        expect(s.child.exitCode, `${s.name}:\n${s.output()}`).toBe(0);
        expect(s.output()).toContain('SIGTERM: shutting down');
      }
      expect(receiver.spans().length).toBeGreaterThanOrEqual(before);
    });
  },
);

describe('pnpm demo --duration 20', () => {
  it('exits 0 and its summary shows traffic', async () => {
    const child = spawn('pnpm', ['demo', '--duration', '20'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, out).toBe(0);
    expect(out).toMatch(/\[\d+s\] \| req\/s [1-9]/);
    expect(out).toMatch(/\| tokens\/s [1-9]\d* \| spend \$\d+\.\d\d \|/);
    const summary =
      /demo summary: (\d+) gateway requests, (\d+) workflow executions, MAU (\d+)/.exec(out);
    expect(summary, out).not.toBeNull();
    expect(Number(summary?.[1])).toBeGreaterThan(0);
    expect(Number(summary?.[2])).toBeGreaterThan(0);
    expect(Number(summary?.[3])).toBeGreaterThan(0);
    const genai = /MAU \d+, (\d+) GenAI tokens, spend \$(\d+\.\d\d)/.exec(out);
    expect(Number(genai?.[1])).toBeGreaterThan(0);
    expect(Number(genai?.[2])).toBeGreaterThan(0);
  }, 180_000);
});
