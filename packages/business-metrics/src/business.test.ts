import { Registry } from 'prom-client';
import { createMetrics } from '@ai-orchestrator/metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { createBusinessMetrics } from './business.js';
import { memoryStore } from './memory-store.js';
import type { BusinessMetrics, BusinessMetricsOptions, BusinessStore } from './types.js';

const DAY = 86_400_000;
const open: BusinessMetrics[] = [];

function setup(extra: Partial<BusinessMetricsOptions> = {}, serviceName = 'svc') {
  const registry = new Registry();
  const metrics = createMetrics({ serviceName, registry, collectDefaultMetrics: false });
  let clock = new Date('2026-03-10T12:00:00Z');
  const business = createBusinessMetrics({ metrics, now: () => clock, salt: 's', ...extra });
  open.push(business);
  return {
    registry,
    metrics,
    business,
    advance(days: number) {
      clock = new Date(clock.getTime() + days * DAY);
    },
  };
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((b) => b.close()));
});

describe('createBusinessMetrics with memoryStore', () => {
  it('counts 1,000,000 synthetic users within 2% in MAU', async () => {
    const { business } = setup();
    const truth = 1_000_000;
    for (let i = 0; i < truth; i += 10_000) {
      for (let j = i; j < i + 10_000; j++) business.recordUserActivity(`user-${j}`);
      await business.flush();
    }
    const { mau, dau } = await business.getKpis();
    const error = Math.abs(mau - truth) / truth;
    console.info(`memory: MAU ${mau} for ${truth} (error ${(error * 100).toFixed(2)}%)`);
    expect(error).toBeLessThan(0.02);
    expect(dau).toBe(mau);
  });

  it('counts a user active on three different days once in WAU and MAU', async () => {
    const { business, advance } = setup();
    business.recordLogin('alice');
    advance(2);
    business.recordUserActivity('alice');
    advance(3);
    business.recordUserActivity('alice');
    business.recordUserActivity('bob');
    expect(await business.getKpis()).toMatchObject({ dau: 2, wau: 2, mau: 2 });
    advance(7); // alice and bob were last seen 7 days back: out of the 7-day window
    business.recordUserActivity('carol');
    expect(await business.getKpis()).toMatchObject({ dau: 1, wau: 1, mau: 3 });
    advance(31);
    expect(await business.getKpis()).toMatchObject({ dau: 0, wau: 0, mau: 0 });
  });

  it('does not share counts between two memory stores', async () => {
    const a = setup().business;
    const b = setup().business;
    a.recordUserActivity('alice');
    b.recordUserActivity('bob');
    b.recordUserActivity('carol');
    expect((await a.getKpis()).mau).toBe(1);
    expect((await b.getKpis()).mau).toBe(2);
  });

  it('keeps MRR consistent under re-subscription, plan change and cancellation', async () => {
    const { business, registry } = setup();
    business.recordSubscription({
      customerId: 'c1',
      plan: 'pro',
      monthlyAmount: 49.99,
      currency: 'USD',
    });
    business.recordSubscription({
      customerId: 'c2',
      plan: 'team',
      monthlyAmount: 199,
      currency: 'USD',
    });
    business.recordSubscription({
      customerId: 'c3',
      plan: 'pro',
      monthlyAmount: 45,
      currency: 'EUR',
    });
    await business.flush();
    business.recordSubscription({
      customerId: 'c1',
      plan: 'pro',
      monthlyAmount: 49.99,
      currency: 'USD',
    });
    business.recordSubscription({
      customerId: 'c2',
      plan: 'pro',
      monthlyAmount: 49.99,
      currency: 'USD',
    });
    expect((await business.getKpis()).mrr).toEqual({ USD: 99.98, EUR: 45 });
    business.cancelSubscription('c3');
    business.cancelSubscription('c3');
    business.cancelSubscription('unknown');
    business.recordSubscription({
      customerId: 'c1',
      plan: 'yen',
      monthlyAmount: 5000,
      currency: 'JPY',
    });
    expect((await business.getKpis()).mrr).toEqual({ USD: 49.99, JPY: 5000 });
    const text = await registry.metrics();
    expect(text).toContain(
      'business_monthly_recurring_revenue{service="svc",currency="USD"} 49.99',
    );
    expect(text).toContain('business_monthly_recurring_revenue{service="svc",currency="EUR"} 0');
  });

  it('observes CSAT scores and reports the share >= 4 over the last 30 days', async () => {
    const { business, registry, advance } = setup();
    expect((await business.getKpis()).csat).toBeNull();
    for (const score of [5, 4, 1]) business.recordSatisfaction(score);
    advance(29);
    business.recordSatisfaction(4);
    expect(await business.getKpis()).toMatchObject({ csat: 0.75, csatResponses: 4 });
    advance(2);
    expect(await business.getKpis()).toMatchObject({ csat: 1, csatResponses: 1 });
    const text = await registry.metrics();
    expect(text).toContain('business_customer_satisfaction_score_bucket{le="3",service="svc"} 1');
    expect(text).toContain('business_customer_satisfaction_score_count{service="svc"} 4');
  });

  it('counts logins, workflows and API requests with a bounded plan label', async () => {
    const { business, registry } = setup({ maxPlans: 2 });
    business.recordLogin('u1');
    business.recordWorkflowCreated();
    business.recordWorkflowCreated();
    for (const plan of ['free', 'pro', 'pro', 'enterprise']) business.recordApiRequest({ plan });
    const text = await registry.metrics();
    expect(text).toContain('business_user_logins_total{service="svc"} 1');
    expect(text).toContain('business_workflows_created_total{service="svc"} 2');
    expect(text).toContain('business_api_requests_total{service="svc",plan="pro"} 2');
    expect(text).toContain('business_api_requests_total{service="svc",plan="__overflow__"} 1');
    expect(text).toContain(
      'metrics_label_overflow_total{service="svc",metric="business_api_requests_total",label="plan"} 1',
    );
  });

  it("reports the core's workflow success rate and mean response time", async () => {
    const { business, metrics } = setup();
    expect(await business.getKpis()).toMatchObject({
      workflowSuccessRate: null,
      averageResponseTimeSeconds: null,
    });
    for (const status of ['success', 'success', 'success', 'failure'] as const) {
      metrics.recordWorkflowExecution({
        workflowName: 'w',
        engineType: 'e',
        status,
        durationMs: 5,
      });
    }
    const timer = metrics.http.start('GET');
    timer.end({ route: '/a', statusCode: 200 });
    const kpis = await business.getKpis();
    expect(kpis.workflowSuccessRate).toBe(0.75);
    expect(kpis.averageResponseTimeSeconds).toBeGreaterThanOrEqual(0);
    expect(kpis.stale).toBe(false);
    expect(kpis.asOf?.toISOString()).toBe('2026-03-10T12:00:00.000Z');
  });

  it('refreshes the gauges on scrape with one store read per cache period', async () => {
    const inner = memoryStore();
    let reads = 0;
    const store: BusinessStore = { ...inner, read: (q) => (reads++, inner.read(q)) };
    const { business, registry } = setup({ store, cacheTtlMs: 60_000 });
    business.recordUserActivity('alice');
    const [first] = await Promise.all([registry.metrics(), registry.metrics()]);
    expect(first).toContain('business_active_users{service="svc",window="30d"} 1');
    expect(first).toContain(
      'business_kpi_last_success_timestamp_seconds{service="svc"} 1773144000',
    );
    business.recordUserActivity('bob');
    expect(await registry.metrics()).toContain(
      'business_active_users{service="svc",window="1d"} 1',
    );
    expect(reads).toBe(1);
  });

  it('never puts a raw user or customer id in the exposition', async () => {
    const { business, registry } = setup();
    business.recordLogin('user-secret-1@example.com');
    business.recordSubscription({
      customerId: 'cust-secret-2',
      plan: 'pro',
      monthlyAmount: 10,
      currency: 'USD',
    });
    await business.getKpis();
    const text = await registry.metrics();
    expect(text).toContain('business_active_users');
    expect(text).not.toContain('secret');
  });

  it('rejects bad input with a TypeError naming the field, the value and the rule enforced', () => {
    const { business } = setup();
    const sub = { customerId: 'c', plan: 'p', monthlyAmount: 1, currency: 'USD' };
    expect(() => business.recordSatisfaction(6)).toThrow(
      new TypeError('recordSatisfaction: score must be an integer from 1 to 5, got 6'),
    );
    expect(() => business.recordSatisfaction(4.5)).toThrow(/score .* got 4\.5/);
    expect(() => business.recordSubscription({ ...sub, monthlyAmount: -1 })).toThrow(
      new TypeError(
        'recordSubscription: monthlyAmount must be a number from 0 to 900719925474 ' +
          '(kept to 4 decimal places), got -1',
      ),
    );
    // 1e12 is finite and >= 0: the message states the upper bound that rejects it.
    expect(() => business.recordSubscription({ ...sub, monthlyAmount: 1e12 })).toThrow(
      /monthlyAmount must be a number from 0 to 900719925474 .*, got 1000000000000$/,
    );
    business.recordSubscription({ ...sub, monthlyAmount: 900_719_925_474 }); // the bound itself is fine
    expect(() => business.recordSubscription({ ...sub, currency: 'ABC' })).toThrow(
      /currency must be an ISO 4217 currency code .*, got "ABC"/,
    );
    expect(() => business.recordSubscription({ ...sub, currency: 'usd' })).toThrow(/got "usd"/);
    expect(() => business.recordLogin('')).toThrow(
      new TypeError(
        'recordLogin: userId must be a string with at least one non-whitespace character, got ""',
      ),
    );
    expect(() => business.recordLogin('  ')).toThrow(/non-whitespace character, got " {2}"/);
    expect(() => business.recordUserActivity(42 as unknown as string)).toThrow(/userId .* got 42/);
    expect(() => business.cancelSubscription(undefined as unknown as string)).toThrow(
      /customerId .* got undefined/,
    );
    expect(() => business.recordApiRequest({} as { plan: string })).toThrow(
      /plan .* got undefined/,
    );
    expect(() => business.recordSubscription([] as unknown as typeof sub)).toThrow(
      'recordSubscription: subscription must be an object (not null, not an array), got an array',
    );
    expect(() => createBusinessMetrics({ metrics: {} as never })).toThrow(
      /metrics\.serviceName must be a string with at least one non-whitespace character/,
    );
    expect(() => setup({ cacheTtlMs: -5 })).toThrow(
      /cacheTtlMs must be an integer from 1 to 9007199254740991, got -5/,
    );
    // Node would fire a 3e9 ms timer after 1 ms: the bound is part of the stated rule.
    expect(() => setup({ flushIntervalMs: 3e9 })).toThrow(
      'createBusinessMetrics: flushIntervalMs must be an integer from 1 to 2147483647, got 3000000000',
    );
    expect(() => setup({ storeTimeoutMs: 2 ** 31 })).toThrow(/storeTimeoutMs .* to 2147483647/);
    expect(() => setup({ store: { write: () => undefined } as never })).toThrow(
      /store must be an object with write, read and close methods/,
    );
    const broken = setup({ now: () => new Date(NaN) }).business;
    expect(() => broken.recordLogin('u')).toThrow(
      'createBusinessMetrics: now() must be a valid Date, got an object',
    );
  });
});
