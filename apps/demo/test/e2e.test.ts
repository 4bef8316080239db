// The whole chain on real servers: the three demo services (built, traced with --import) under
// load with an injected error spike, scraped by a real Prometheus evaluating the repo's rules,
// alerts routed by a real Alertmanager (the repo's routing, receivers pointed at a local webhook),
// traces exported over OTLP to a real Jaeger v2 started from infra/jaeger and read back through
// its query API. `pnpm demo` itself is tested in cli.test.ts.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { requireBinary, startJaeger, type JaegerServer } from '@ai-orchestrator/testkit';
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
  RULE_FILES,
  ROOT,
  startLoadgen,
  startLocalStack,
  startServices,
  type LocalStack,
  type Services,
} from '../src/index.js';
import {
  eventually,
  sameTraceId,
  serviceChain,
  serviceOf,
  tracesBetween,
  treeProblems,
  type JaegerSpan,
  type JaegerTrace,
} from './traces.js';

const prometheusBinary = requireBinary('prometheus');
const alertmanagerBinary = requireBinary('alertmanager');
const jaegerBinary = requireBinary('jaeger');
const SERVICES = ['demo-engine', 'demo-gateway', 'demo-orchestrator'];

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

/**
 * A model call its caller gave up on may still be billed: it is counted unpriced (`incomplete`).
 * The demo's own calls end that way only when a provider stalls past the workflow timeout (one
 * call in several hundred, then 8 s), so the unpriced recording rule and panel could have no data
 * yet: cancel a few calls at the engine, some before and some after the provider's first chunk.
 */
async function cancelModelCalls(engine: string): Promise<void> {
  for (const afterMs of [10, 25, 50, 80, 120]) {
    const controller = new AbortController();
    const call = fetch(`${engine}/v1/models/gpt-4o/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'cancelled by the e2e test', workflow: 'e2e-cancelled' }),
      signal: controller.signal,
    }).catch(() => undefined);
    await sleep(afterMs);
    controller.abort();
    await call;
  }
}

/** A sampled W3C trace context the test owns: the services keep its trace whatever their cap. */
function sampledTrace(): { traceId: string; traceparent: string } {
  const traceId = randomBytes(16).toString('hex');
  return { traceId, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` };
}

/**
 * Runs `workflow` through the gateway in a trace of the test's own until an execution succeeds
 * (the gateway's error spike fails half the requests, providers fail a few calls), and returns
 * that execution's trace id. The default sampler admits only so many new traces a second, so a
 * load-generated trace with one given model's call can take long to come by on a busy machine;
 * a caller's sampled trace is always kept.
 */
async function succeededExecution(gateway: string, workflow: string): Promise<string> {
  const post = (path: string, traceparent: string, body: unknown) =>
    fetch(`${gateway}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
    });
  const outcomes: string[] = [];
  for (let attempt = 0; attempt < 40; attempt++) {
    const created = await post('/api/workflows', sampledTrace().traceparent, {
      userId: 'e2e-user',
      name: workflow,
    });
    // an injected failure answers with Express's HTML error page
    const { id } = (await created.json().catch(() => ({}))) as { id?: string };
    if (!id) {
      outcomes.push(`create ${created.status}`);
      continue;
    }
    const { traceId, traceparent } = sampledTrace();
    const executed = await post(`/api/workflows/${id}/execute`, traceparent, {
      userId: 'e2e-user',
    });
    const { status } = (await executed.json().catch(() => ({}))) as { status?: string };
    if (executed.status === 200 && status === 'success') return traceId;
    outcomes.push(`execute ${executed.status} ${status}`);
  }
  throw new Error(`no ${workflow} execution succeeded in 40 attempts: ${outcomes.join(', ')}`);
}

describe.skipIf(!prometheusBinary || !alertmanagerBinary || !jaegerBinary)(
  'the demo on a real Prometheus, Alertmanager and Jaeger',
  () => {
    let jaeger: JaegerServer;
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
      jaeger = await startJaeger(jaegerBinary as string, {
        config: readFileSync(`${ROOT}/infra/jaeger/config.yaml`, 'utf8'),
        strategies: readFileSync(`${ROOT}/infra/jaeger/sampling-strategies.json`, 'utf8'),
      });
      services = await startServices({
        env: {
          OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpHttpUrl,
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
      // Steady load, then an error spike at the gateway. The load lasts the whole file (the last
      // test stops it): the tests below wait for rare sampled traces, after this hook waited up
      // to a minute for the alert, and a load that ended in between left them nothing to find.
      loadgen = startLoadgen(
        { gateway: services.gatewayUrl, rps: 25, users: 300, durationS: 300 },
        () => undefined,
      );
      await sleep(3000);
      await cancelModelCalls(`http://127.0.0.1:${services.ports.engine.api}`);
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
      await jaeger?.stop();
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

    it('exports traces that span gateway -> orchestrator -> engine, one tree each, to Jaeger', async () => {
      // traces that started 10 s ago or more are complete: every span ended and was exported
      const traces = await eventually(
        () => tracesBetween(jaeger, 'demo-engine', Date.now() - 300_000, Date.now() - 10_000, 50),
        (found) => found.length > 0,
        30_000,
      );
      expect(traces.length).toBeGreaterThan(0);
      expect(
        (await jaeger.api<string[]>('services')).filter((s) => s.startsWith('demo-')).sort(),
      ).toEqual(SERVICES);
      for (const trace of traces) {
        expect(treeProblems(trace), trace.traceID).toEqual([]);
        const services = new Set(trace.spans.map((span) => serviceOf(trace, span)));
        expect([...services].sort(), trace.traceID).toEqual(SERVICES);
        const root = trace.spans.find((span) => span.references.length === 0);
        expect(root && serviceOf(trace, root)).toBe('demo-gateway');
        const engineSpans = trace.spans.filter((span) => serviceOf(trace, span) === 'demo-engine');
        for (const span of engineSpans)
          expect(serviceChain(trace, span), `${trace.traceID} ${span.operationName}`).toEqual([
            'demo-engine',
            'demo-orchestrator',
            'demo-gateway',
          ]);
      }
    });

    it('stores exemplars whose trace ids Jaeger has, with the gateway request in them', async () => {
      const now = Date.now() / 1000;
      const data = await api<{ exemplars: { labels: Record<string, string> }[] }[]>(
        `query_exemplars?${new URLSearchParams({ query: 'http_server_request_duration_seconds_bucket{service="demo-gateway"}', start: String(now - 300), end: String(now) })}`,
      );
      const traceIds = data
        .flatMap((s) => s.exemplars.map((e) => e.labels.trace_id))
        .filter(Boolean) as string[];
      expect(traceIds.length).toBeGreaterThan(0);
      const wanted = traceIds.slice(-5);
      const found = await eventually(
        () =>
          Promise.all(
            wanted.map((id) => jaeger.api<JaegerTrace[]>(`traces/${id}`).catch(() => [])),
          ),
        (all) => all.every((t) => t.length === 1),
      );
      for (const [i, [trace]] of found.entries()) {
        expect(trace, `exemplar trace ${wanted[i]} not in Jaeger`).toBeDefined();
        expect(sameTraceId(trace?.traceID ?? '', wanted[i] as string)).toBe(true);
        const server = trace?.spans.find(
          (s) => serviceOf(trace, s) === 'demo-gateway' && s.references.length === 0,
        );
        expect(server?.operationName, wanted[i]).toMatch(/^(GET|POST|PUT|DELETE|PATCH) \//);
      }
    });

    it('traces each model call as a CLIENT span under its workflow: usage, spend, prompts redacted', async () => {
      const tag = (span: JaegerSpan | undefined, key: string): unknown =>
        span?.tags.find((t) => t.key === key)?.value;
      /** Successful gpt-4o chat spans, with the traces they are in. */
      const chatsOf = (traces: JaegerTrace[]) =>
        traces.flatMap((trace) =>
          trace.spans
            .filter((s) => s.operationName === 'chat gpt-4o' && tag(s, 'error') !== true)
            .map((span) => ({ trace, span })),
        );
      const inWorkflow = ({ trace }: { trace: JaegerTrace }) =>
        trace.spans.some(
          (s) =>
            s.operationName.startsWith('workflow ') && serviceOf(trace, s) === 'demo-orchestrator',
        );
      // The trace of a run of the test's own (see succeededExecution), once every span is in.
      const traceOf = async (traceId: string, complete: (trace: JaegerTrace) => boolean) => {
        const [trace] = await eventually(
          () => jaeger.api<JaegerTrace[]>(`traces/${traceId}`).catch(() => [] as JaegerTrace[]),
          (found) => found[0] !== undefined && complete(found[0]),
          15_000,
        );
        return trace;
      };
      const gateway = services.gatewayUrl;
      const traceId = await succeededExecution(gateway, 'summarize-document');
      // complete once the chat span's every ancestor is in (spans come in several export batches)
      const complete = (t: JaegerTrace) =>
        chatsOf([t]).some((c) => inWorkflow(c) && serviceChain(t, c.span).length === 3);
      const trace = await traceOf(traceId, complete);
      const operations = trace?.spans.map((s) => `${serviceOf(trace, s)}: ${s.operationName}`);
      const found =
        trace &&
        chatsOf([trace]).find((c) => inWorkflow(c) && serviceChain(trace, c.span).length === 3);
      expect(
        found,
        `trace ${traceId}: no successful chat gpt-4o span inside a workflow span; spans: ${JSON.stringify(operations)}`,
      ).toBeDefined();
      const span = found?.span;
      expect(trace && span && serviceChain(trace, span)).toEqual([
        'demo-engine',
        'demo-orchestrator',
        'demo-gateway',
      ]);
      expect(tag(span, 'span.kind')).toBe('client');
      expect(tag(span, 'gen_ai.operation.name')).toBe('chat');
      expect(tag(span, 'gen_ai.provider.name')).toBe('openai');
      expect(tag(span, 'gen_ai.request.model')).toBe('gpt-4o');
      expect(tag(span, 'gen_ai.request.stream')).toBe(true);
      expect(tag(span, 'gen_ai.usage.cost.currency')).toBe('USD');
      expect(tag(span, 'gen_ai.usage.cost.source')).toBe('local');
      expect(Number(tag(span, 'gen_ai.usage.input_tokens'))).toBeGreaterThan(0);
      expect(Number(tag(span, 'gen_ai.response.time_to_first_chunk'))).toBeGreaterThan(0);
      // The engine's system prompt names an e-mail address: captured, then masked before export.
      const input = String(tag(span, 'gen_ai.input.messages'));
      expect(input).toContain('Escalations go to');
      expect(input).toContain('[REDACTED]');
      expect(input).not.toContain('oncall@ai-orchestrator.example');
      // An agent step (an Anthropic workflow's chat) runs the tool the model calls, under its span.
      const agentTraceId = await succeededExecution(gateway, 'generate-report');
      const toolOf = (t: JaegerTrace | undefined) =>
        t?.spans.find((s) => s.operationName === 'execute_tool lookup_order');
      // the tool's span and its parent's can reach Jaeger in different export batches
      const agentTrace = await traceOf(agentTraceId, (t) => {
        const found = toolOf(t);
        return found !== undefined && t.spans.some((s) => s.spanID === found.references[0]?.spanID);
      });
      const tool = toolOf(agentTrace);
      expect(
        tool,
        `trace ${agentTraceId}: ${JSON.stringify(agentTrace?.spans.map((s) => s.operationName))}`,
      ).toBeDefined();
      expect(tag(tool, 'gen_ai.tool.name')).toBe('lookup_order');
      const agent = agentTrace?.spans.find((s) => s.spanID === tool?.references[0]?.spanID);
      expect(agent?.operationName).toBe('invoke_agent support-assistant');
    });

    it('stores exemplars on the GenAI histograms whose trace ids are the engine call spans', async () => {
      const now = Date.now() / 1000;
      const data = await api<{ exemplars: { labels: Record<string, string> }[] }[]>(
        `query_exemplars?${new URLSearchParams({ query: 'gen_ai_client_operation_duration_seconds_bucket{service="demo-engine"}', start: String(now - 300), end: String(now) })}`,
      );
      const exemplars = data.flatMap((s) => s.exemplars.map((e) => e.labels));
      const linked = exemplars.filter((e) => e.trace_id && e.span_id).slice(0, 5);
      expect(linked.length).toBeGreaterThan(0);
      for (const { trace_id: traceId, span_id: spanId } of linked) {
        const [trace] = await eventually(
          () => jaeger.api<JaegerTrace[]>(`traces/${traceId}`).catch(() => [] as JaegerTrace[]),
          (found) => found.some((t) => t.spans.some((s) => s.spanID === spanId)),
        );
        const span = trace?.spans.find((s) => s.spanID === spanId);
        expect(span?.operationName, `exemplar ${traceId}/${spanId}`).toMatch(/^(chat|embeddings) /);
      }
    });

    it('stops every service cleanly on SIGTERM, flushing its spans to Jaeger first', async () => {
      const loadgenDone = new Promise((resolve) => loadgen?.once('exit', resolve));
      loadgen?.kill('SIGTERM');
      await loadgenDone;
      const calm = await fetch(`${services.gatewayUrl}/admin/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ errorRate: 0 }),
      });
      expect(calm.status).toBe(200);
      // A request right before the stop, in a trace of ours: its spans are still in the batch.
      const { traceId, traceparent } = sampledTrace();
      const res = await fetch(`${services.gatewayUrl}/api/workflows`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', traceparent },
        body: JSON.stringify({ userId: 'last-user', name: 'summarize-document' }),
      });
      expect(res.status).toBe(201);
      await services.stop();
      for (const s of services.list) {
        expect(s.child.exitCode, `${s.name}:\n${s.output()}`).toBe(0);
        expect(s.output()).toContain('SIGTERM: shutting down');
      }
      const [trace] = await eventually(
        () => jaeger.api<JaegerTrace[]>(`traces/${traceId}`).catch(() => []),
        (found) => found.length === 1,
        5000,
      );
      expect(trace?.spans.map((span) => span.operationName)).toContain('POST /api/workflows');
    });
  },
);
