// A real 4-worker Node.js cluster (and 4 worker threads) running each framework adapter under a
// bounded load on loopback: the primary's one /metrics must count exactly what the load
// generator got answered, combine gauges by their contract rule, never let a counter go
// backwards when a worker is killed and restarted, and answer while a worker hangs.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { add, plan, sendAll, type Tally } from './load.js';
import { requestCounts, scrape, wentBackwards, type Samples } from './scrape.js';

const SERVICE = 'cluster-e2e';
const WORKERS = 4;
const BATCH = 1200;

interface Primary {
  readonly child: ChildProcess;
  ask<T>(message: object, reply: string): Promise<T>;
}

async function startPrimary(
  fixture: string,
  args: string[],
): Promise<{ primary: Primary; ready: Record<string, unknown> }> {
  const child = fork(fileURLToPath(new URL(`../fixtures/${fixture}`, import.meta.url)), args, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ask = <T>(message: object, reply: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (m: { type?: string }): void => {
        if (m.type !== reply) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(m as T);
      };
      const onExit = (code: number | null): void =>
        reject(new Error(`primary exited (${code}) before '${reply}'`));
      child.on('message', onMessage);
      child.once('exit', onExit);
      if (Object.keys(message).length > 0) child.send(message);
    });
  const ready = await ask<Record<string, unknown>>({}, 'ready');
  return { primary: { child, ask }, ready };
}

async function stopPrimary(primary: Primary | undefined): Promise<void> {
  if (!primary || primary.child.exitCode !== null) return;
  const exited = once(primary.child, 'exit');
  primary.child.send({ type: 'stop' });
  const timer = setTimeout(() => primary.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function expectCounts(samples: Samples, sent: Tally): void {
  expect(sent.get('error') ?? 0).toBe(0);
  expect(requestCounts(samples, SERVICE)).toEqual(sent);
}

const orders = (sent: Tally): number => sent.get('POST /orders 201') ?? 0;
const workflows = `workflow_executions_total{service="${SERVICE}",workflow_name="checkout",engine_type="openai",status="success"}`;

describe.each(['express', 'fastify', 'koa'])('a %s app on a 4-worker cluster', (framework) => {
  let primary: Primary | undefined;
  let port: number;
  let metricsUrl: string;
  let perWorkerUrl: string;
  const sent: Tally = new Map();

  beforeAll(async () => {
    const started = await startPrimary('cluster-primary.mjs', [framework, String(WORKERS), '500']);
    primary = started.primary;
    port = started.ready.appPort as number;
    metricsUrl = started.ready.metricsUrl as string;
    perWorkerUrl = started.ready.perWorkerUrl as string;
  });
  afterAll(() => stopPrimary(primary));

  it('counts every request the load generator was answered, once, on the primary', async () => {
    add(sent, await sendAll([port], plan(BATCH)));
    const samples = await scrape(metricsUrl);
    expectCounts(samples, sent);
    expect(samples.get(workflows)).toBe(orders(sent));
    expect(
      samples.get(`http_server_active_requests{service="${SERVICE}",http_request_method="GET"}`),
    ).toBe(0);
    expect(samples.get(`metrics_cluster_workers{service="${SERVICE}"}`)).toBe(WORKERS);
  });

  it('sums the queue gauge, takes the shared KPI once, and the newest start time', async () => {
    const [merged, perWorker] = await Promise.all([scrape(metricsUrl), scrape(perWorkerUrl)]);
    const slots = Array.from({ length: WORKERS }, (_, i) => String(i));
    for (const worker of slots) {
      expect(
        perWorker.get(
          `workflow_queue_size{service="${SERVICE}",queue="default",worker="${worker}"}`,
        ),
      ).toBe(1);
      expect(
        perWorker.get(`business_active_users{service="${SERVICE}",window="1d",worker="${worker}"}`),
      ).toBe(1234);
    }
    expect(merged.get(`workflow_queue_size{service="${SERVICE}",queue="default"}`)).toBe(WORKERS);
    expect(merged.get(`business_active_users{service="${SERVICE}",window="1d"}`)).toBe(1234);
    const starts = slots.map(
      (w) =>
        perWorker.get(`process_start_time_seconds{service="${SERVICE}",worker="${w}"}`) as number,
    );
    expect(merged.get(`process_start_time_seconds{service="${SERVICE}"}`)).toBeGreaterThanOrEqual(
      Math.max(...starts),
    );
    // One series per metric and label set, as a single process would serve.
    expect(
      [...merged.keys()].filter((name) => name.startsWith('process_cpu_seconds_total')),
    ).toHaveLength(1);
    // The per-worker view adds up to the merged counts.
    const perWorkerTotal = slots.reduce(
      (sum, w) => sum + (perWorker.get(workflows.replace('}', `,worker="${w}"}`)) ?? 0),
      0,
    );
    expect(perWorkerTotal).toBe(orders(sent));
  });

  it('keeps every counter from going backwards when a worker is killed and restarted', async () => {
    const before = await scrape(metricsUrl);
    const killed = primary!.ask<{ pid: number }>({ type: 'kill' }, 'killed');
    const during: Samples[] = [before];
    let done = false;
    void killed.finally(() => (done = true));
    while (!done) during.push(await scrape(metricsUrl));
    await killed;
    during.push(await scrape(metricsUrl));
    for (let i = 1; i < during.length; i++)
      expect(wentBackwards(during[i - 1]!, during[i]!)).toEqual([]);
    // The killed worker's requests were all in its last snapshot: nothing is lost, nothing doubled.
    add(sent, await sendAll([port], plan(BATCH, BATCH)));
    const after = await scrape(metricsUrl);
    expectCounts(after, sent);
    expect(after.get(workflows)).toBe(orders(sent));
    expect(after.get(`workflow_queue_size{service="${SERVICE}",queue="default"}`)).toBe(WORKERS);
    expect(wentBackwards(before, after)).toEqual([]);
  });

  it('answers while a worker hangs, from its last snapshot, and counts it stale', async () => {
    const before = await scrape(metricsUrl);
    const staleBefore =
      before.get(`metrics_cluster_stale_snapshots_total{service="${SERVICE}",reason="timeout"}`) ??
      0;
    const blocked = fetch(`http://127.0.0.1:${port}/block/4000`).then(async (res) => {
      await res.text();
      return 'blocked request answered';
    });
    // Give the request time to reach its worker and start blocking it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const first = await Promise.race([scrape(metricsUrl).then(() => 'scrape answered'), blocked]);
    expect(first).toBe('scrape answered');
    await blocked;
    const after = await scrape(metricsUrl);
    expect(
      after.get(`metrics_cluster_stale_snapshots_total{service="${SERVICE}",reason="timeout"}`),
    ).toBeGreaterThan(staleBefore);
    expect(wentBackwards(before, after)).toEqual([]);
    sent.set('GET /block/:ms 200', 1);
    expectCounts(after, sent);
  });

  it('never goes backwards when a worker is killed under load; loses at most what it counted since the last scrape', async () => {
    const before = await scrape(metricsUrl);
    const load = sendAll([port], plan(BATCH, 2 * BATCH));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const killed = primary!.ask({ type: 'kill' }, 'killed');
    const seen: Samples[] = [before];
    let done = false;
    void Promise.all([load, killed]).finally(() => (done = true));
    while (!done) seen.push(await scrape(metricsUrl));
    const answered = await load;
    await killed;
    seen.push(await scrape(metricsUrl));
    for (let i = 1; i < seen.length; i++) expect(wentBackwards(seen[i - 1]!, seen[i]!)).toEqual([]);
    // Requests in flight on the killed worker get no answer; the rest are counted or lost.
    expect(answered.get('error') ?? 0).toBeLessThanOrEqual(16);
    const got = requestCounts(seen.at(-1)!, SERVICE);
    const total = (counts: Map<string, number>): number =>
      [...counts.values()].reduce((a, b) => a + b, 0);
    answered.delete('error');
    add(sent, answered);
    expect(total(got)).toBeLessThanOrEqual(total(sent));
    expect(total(got)).toBeGreaterThanOrEqual(total(requestCounts(before, SERVICE)));
  });
});

describe('an express app on 4 worker threads', () => {
  let primary: Primary | undefined;
  let ports: number[];
  let metricsUrl: string;
  const sent: Tally = new Map();

  beforeAll(async () => {
    const started = await startPrimary('threads-primary.mjs', ['express', String(WORKERS)]);
    primary = started.primary;
    ports = started.ready.ports as number[];
    metricsUrl = started.ready.metricsUrl as string;
  });
  afterAll(() => stopPrimary(primary));

  it('counts every request over all threads, and the process figures once', async () => {
    add(sent, await sendAll(ports, plan(BATCH)));
    const samples = await scrape(metricsUrl);
    expectCounts(samples, sent);
    expect(samples.get(`workflow_queue_size{service="${SERVICE}",queue="default"}`)).toBe(WORKERS);
    expect(samples.get(`business_active_users{service="${SERVICE}",window="1d"}`)).toBe(1234);
    expect(
      [...samples.keys()].filter((name) => name.startsWith('process_resident_memory_bytes')),
    ).toHaveLength(1);
  });

  it('keeps counts when a thread ends and another takes its place', async () => {
    const before = await scrape(metricsUrl);
    const { ports: now } = await primary!.ask<{ ports: number[] }>({ type: 'kill' }, 'killed');
    const between = await scrape(metricsUrl);
    expect(wentBackwards(before, between)).toEqual([]);
    add(sent, await sendAll(now, plan(BATCH, BATCH)));
    const after = await scrape(metricsUrl);
    expectCounts(after, sent);
    expect(after.get(workflows)).toBe(orders(sent));
    expect(wentBackwards(between, after)).toEqual([]);
    expect(after.get(`metrics_cluster_workers{service="${SERVICE}"}`)).toBe(WORKERS);
  });
});
