import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { ROOT_CONTEXT, SpanKind, trace, TraceFlags, type Attributes } from '@opentelemetry/api';
import { SamplingDecision, type Sampler } from '@opentelemetry/sdk-trace';
import { requireBinary, startJaeger } from '@ai-orchestrator/testkit';
import { describe, expect, it } from 'vitest';
import { namedStrategyType } from './jaeger-strategy.js';
import { RateLimiter } from './rate-limiter.js';
import { buildSampler, DEFAULT_TRACES_PER_SECOND, RuleSampler, samplerFromEnv } from './sampler.js';
import { MAX_MATCHED_LENGTH } from './user-patterns.js';

const SAMPLED = SamplingDecision.RECORD_AND_SAMPLED;
const DROPPED = SamplingDecision.NOT_RECORD;

let n = 0;
function traceId(): string {
  n += 1;
  return n.toString(16).padStart(32, '0');
}

function decide(sampler: Sampler, name: string, attributes: Attributes = {}, ctx = ROOT_CONTEXT) {
  return sampler.shouldSample(ctx, traceId(), name, SpanKind.SERVER, attributes, []).decision;
}

function withParent(sampled: boolean) {
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: 'a'.repeat(32),
    spanId: 'b'.repeat(16),
    traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
  });
}

describe('sampling', () => {
  it('by default starts at most DEFAULT_TRACES_PER_SECOND new traces a second, and follows parents', () => {
    let now = 0;
    const { sampler } = buildSampler(undefined, 'svc', {}, () => now);
    const burst = Array.from({ length: 50 }, () => decide(sampler, 'GET'));
    expect(burst.filter((d) => d === SAMPLED)).toHaveLength(DEFAULT_TRACES_PER_SECOND);
    // a sampled parent's decision is honoured past the cap, an unsampled one's too
    expect(decide(sampler, 'GET', {}, withParent(true))).toBe(SAMPLED);
    expect(decide(sampler, 'GET', {}, withParent(false))).toBe(DROPPED);
    now += 500; // half a second refills half the budget
    const next = Array.from({ length: 50 }, () => decide(sampler, 'GET'));
    expect(next.filter((d) => d === SAMPLED)).toHaveLength(DEFAULT_TRACES_PER_SECOND / 2);
  });

  it('lets the always rules bypass the default cap, and maxTracesPerSecond change it', () => {
    const { sampler } = buildSampler(
      { alwaysSample: ['/checkout/:id'], maxTracesPerSecond: 2 },
      'svc',
      {},
      () => 0, // the clock stands still: no refill
    );
    const burst = Array.from({ length: 10 }, () => decide(sampler, 'GET', { 'url.path': '/a' }));
    expect(burst.filter((d) => d === SAMPLED)).toHaveLength(2);
    for (let i = 0; i < 20; i++) {
      expect(decide(sampler, 'GET', { 'url.path': `/checkout/${i}` })).toBe(SAMPLED);
    }
  });

  it('says a new trace is closed exactly when the sampler would drop it, and takes no token', () => {
    let now = 0;
    const { sampler, closedToNewTraces } = buildSampler(
      { alwaysSample: ['/checkout/:id'], maxTracesPerSecond: 2 },
      'svc',
      {},
      () => now,
    );
    const closed = closedToNewTraces as (name: string, path: string) => boolean;
    // asking many times takes nothing: the two tokens are still there for the sampler
    for (let i = 0; i < 10; i++) expect(closed('GET', '/a')).toBe(false);
    expect(decide(sampler, 'GET', { 'url.path': '/a' })).toBe(SAMPLED);
    expect(decide(sampler, 'GET', { 'url.path': '/a' })).toBe(SAMPLED);
    for (let i = 0; i < 10; i++) {
      expect(closed('GET', '/a')).toBe(true);
      expect(decide(sampler, 'GET', { 'url.path': '/a' })).toBe(DROPPED);
    }
    // a rule's path is never closed, and is sampled past the cap
    expect(closed('GET', '/checkout/7')).toBe(false);
    expect(decide(sampler, 'GET', { 'url.path': '/checkout/7' })).toBe(SAMPLED);
    now += 500; // one token back
    expect(closed('GET', '/a')).toBe(false);
    expect(decide(sampler, 'GET', { 'url.path': '/a' })).toBe(SAMPLED);
    expect(closed('GET', '/a')).toBe(true);
    // without a cap there is nothing to say
    expect(buildSampler({ ratio: 1 }, 'svc', {}).closedToNewTraces).toBeUndefined();
  });

  it('has no default cap once a ratio or OTEL_TRACES_SAMPLER chooses the sampling', () => {
    const count = (sampler: Sampler) =>
      Array.from({ length: 100 }, () => decide(sampler, 'GET')).filter((d) => d === SAMPLED).length;
    expect(count(buildSampler({ ratio: 1 }, 'svc', {}, () => 0).sampler)).toBe(100);
    const env = { OTEL_TRACES_SAMPLER: 'parentbased_always_on' };
    expect(count(buildSampler(undefined, 'svc', env, () => 0).sampler)).toBe(100);
    // the register entry passes rules without a ratio: the variable still decides
    expect(count(buildSampler({ alwaysSample: ['x'] }, 'svc', env, () => 0).sampler)).toBe(100);
    const alwaysOn = buildSampler({ alwaysSample: ['x'] }, 'svc', {
      OTEL_TRACES_SAMPLER: 'always_on',
    });
    // always_on is not parent-based: an unsampled parent does not stop it
    expect(decide(alwaysOn.sampler, 'GET', {}, withParent(false))).toBe(SAMPLED);
  });

  it('ratio 0 drops new traces, except those the always rules name', () => {
    const { sampler } = buildSampler(
      { ratio: 0, alwaysSample: ['workflow.execute', '/checkout/:cartId', /^POST \/payments/] },
      'svc',
      {},
    );
    expect(decide(sampler, 'GET', { 'url.path': '/users/1' })).toBe(DROPPED);
    expect(decide(sampler, 'workflow.execute')).toBe(SAMPLED);
    // an incoming request is matched on its path: the route is not known when the span starts
    expect(decide(sampler, 'GET', { 'url.path': '/checkout/c-17' })).toBe(SAMPLED);
    expect(decide(sampler, 'GET', { 'http.target': '/checkout/c-17?x=1' })).toBe(SAMPLED);
    expect(decide(sampler, 'GET', { 'url.path': '/checkout/c-17/items' })).toBe(DROPPED);
    expect(decide(sampler, 'POST /payments/:id')).toBe(SAMPLED);
    // a child of a sampled-out parent stays out, even on a critical path
    expect(decide(sampler, 'workflow.execute', {}, withParent(false))).toBe(DROPPED);
  });

  it('matches route templates by segment: a parameter is one segment, * spans any', () => {
    const { sampler } = buildSampler(
      { ratio: 0, alwaysSample: ['/files/:name.:ext', '/v1/*/status', '/a.b/(x)'] },
      'svc',
      {},
    );
    const path = (p: string) => decide(sampler, 'GET', { 'url.path': p });
    expect(path('/files/report.pdf')).toBe(SAMPLED);
    expect(path('/files/report.pdf/')).toBe(SAMPLED);
    expect(path('/files/reportpdf')).toBe(DROPPED);
    expect(path('/files/dir/report.pdf')).toBe(DROPPED);
    expect(path('/v1/jobs/7/status')).toBe(SAMPLED);
    expect(path('/v1/status')).toBe(DROPPED);
    // the rest of a template is literal, not RegExp syntax
    expect(path('/a.b/(x)')).toBe(SAMPLED);
    expect(path('/aXb/x')).toBe(DROPPED);
  });

  // The request path is the client's: a backtracking engine took 1.2 s for one 4 KB path on
  // '/a/*/b/*/c/*/d' (cubic) and minutes at 8 KB. The time bound is only a safety net: linear
  // matching of all of these takes milliseconds.
  it('matches templates and RegExp rules on hostile paths in linear time', () => {
    const rules = [
      '/files/:name.:ext',
      '/a/*/b/*/c/*/d',
      '/v1/*/jobs/*/status',
      /^\/x\/.*\/y\/.*\/z\/.*\/w$/,
    ];
    const { sampler } = buildSampler({ ratio: 0, alwaysSample: rules }, 'svc', {});
    const size = MAX_MATCHED_LENGTH - 16;
    const hostile = [
      `/files/${'.'.repeat(size)}/x`,
      `/a/${'/b/c'.repeat(size / 4)}`,
      `/v1/${'/jobs'.repeat(size / 5)}`,
      `/x/${'/y/z'.repeat(size / 4)}`,
    ];
    const started = performance.now();
    for (const p of hostile) {
      expect(p.length).toBeLessThanOrEqual(MAX_MATCHED_LENGTH);
      expect(decide(sampler, 'GET', { 'url.path': p })).toBe(DROPPED);
    }
    expect(performance.now() - started).toBeLessThan(1000);
    // long paths that do match still match, up to the bound
    const long = 'p'.repeat(size - 20);
    expect(decide(sampler, 'GET', { 'url.path': `/a/${long}/b/1/c/2/d` })).toBe(SAMPLED);
    expect(decide(sampler, 'GET', { 'url.path': `/x/${long}/y/1/z/2/w` })).toBe(SAMPLED);
    // past it, nothing does
    const over = 'p'.repeat(MAX_MATCHED_LENGTH);
    expect(decide(sampler, 'GET', { 'url.path': `/a/${over}/b/1/c/2/d` })).toBe(DROPPED);
  });

  it('refuses a RegExp rule RE2 cannot run in linear time, naming it', () => {
    expect(() => buildSampler({ alwaysSample: ['/ok', /^\/(?=admin)/] }, 'svc', {})).toThrow(
      /sampler\.alwaysSample\[1\] must be a RegExp that runs in linear time/,
    );
  });

  it('a ratio keeps about that share of new traces', () => {
    const { sampler } = buildSampler({ ratio: 0.25 }, 'svc', {});
    let kept = 0;
    for (let i = 0; i < 4000; i += 1) {
      const id = Math.floor(Math.random() * 2 ** 52)
        .toString(16)
        .padStart(32, '0');
      const d = sampler.shouldSample(ROOT_CONTEXT, id, 'op', SpanKind.INTERNAL, {}, []);
      if (d.decision === SAMPLED) kept += 1;
    }
    expect(kept / 4000).toBeGreaterThan(0.2);
    expect(kept / 4000).toBeLessThan(0.3);
  });

  it('caps new traces per second with a token bucket; always rules bypass the cap', () => {
    let now = 0;
    const limiter = new RateLimiter(5, () => now);
    const sampler = new RuleSampler(
      ['critical'],
      buildSampler({ ratio: 1 }, 's', {}).sampler,
      limiter,
    );
    const first = Array.from({ length: 10 }, () => decide(sampler, 'op'));
    expect(first.filter((d) => d === SAMPLED)).toHaveLength(5);
    expect(decide(sampler, 'critical')).toBe(SAMPLED);
    now += 400; // 0.4 s refills 2 tokens
    const next = Array.from({ length: 5 }, () => decide(sampler, 'op'));
    expect(next.filter((d) => d === SAMPLED)).toHaveLength(2);
  });

  it('reads OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG', () => {
    expect(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'always_off' })).toEqual({
      ratio: 0,
      parentBased: false,
    });
    expect(
      samplerFromEnv({
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.1',
      }),
    ).toEqual({ ratio: 0.1, parentBased: true });
    expect(
      samplerFromEnv({
        OTEL_TRACES_SAMPLER: 'parentbased_jaeger_remote',
        OTEL_TRACES_SAMPLER_ARG:
          'endpoint=http://jaeger:5778,pollingIntervalMs=5000,initialSamplingRate=0.5',
      }),
    ).toEqual({
      ratio: 0.5,
      parentBased: true,
      jaegerRemote: { endpoint: 'http://jaeger:5778', pollingIntervalMs: 5000 },
    });
    const { sampler } = buildSampler(undefined, 'svc', { OTEL_TRACES_SAMPLER: 'always_off' });
    expect(decide(sampler, 'GET', {}, withParent(true))).toBe(DROPPED);
  });

  it('applies per-operation strategies from Jaeger remote sampling', async () => {
    const asked: string[] = [];
    const server = createServer((req, res) => {
      asked.push(req.url ?? '');
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          strategyType: 'PROBABILISTIC',
          probabilisticSampling: { samplingRate: 1 },
          operationSampling: {
            defaultSamplingProbability: 1,
            defaultLowerBoundTracesPerSecond: 0,
            defaultUpperBoundTracesPerSecond: 0,
            perOperationStrategies: [
              { operation: 'noisy.poll', probabilisticSampling: { samplingRate: 0 } },
            ],
          },
        }),
      );
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const built = buildSampler(
      { ratio: 1, jaegerRemote: { endpoint, pollingIntervalMs: 20 } },
      'checkout',
      {},
    );
    try {
      expect(decide(built.sampler, 'noisy.poll')).toBe(SAMPLED); // initial ratio until the first poll
      const deadline = Date.now() + 10_000;
      while (decide(built.sampler, 'noisy.poll') === SAMPLED && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(decide(built.sampler, 'noisy.poll')).toBe(DROPPED);
      expect(decide(built.sampler, 'other.op')).toBe(SAMPLED);
      expect(asked[0]).toBe('/sampling?service=checkout');
    } finally {
      built.stop();
      server.close();
    }
  });

  it('reads the legacy form Jaeger v2 serves: a number names the strategy type', () => {
    const legacy = { strategyType: 0, probabilisticSampling: { samplingRate: 0.25 } };
    expect(namedStrategyType(legacy)).toEqual({ ...legacy, strategyType: 'PROBABILISTIC' });
    expect(namedStrategyType({ ...legacy, strategyType: 1 })).toMatchObject({
      strategyType: 'RATELIMITING',
    });
    const named = { ...legacy, strategyType: 'PROBABILISTIC' };
    expect(namedStrategyType(named)).toBe(named);
    expect(namedStrategyType(null)).toBeNull();
  });
});

const jaegerBinary = requireBinary('jaeger');

describe.skipIf(!jaegerBinary)('Jaeger remote sampling against a real Jaeger v2', () => {
  it("applies a service's own rate and the default strategy, which Jaeger serves without operations", async () => {
    const jaeger = await startJaeger(jaegerBinary as string, {
      config: readFileSync(new URL('../../../infra/jaeger/config.yaml', import.meta.url), 'utf8'),
      strategies: JSON.stringify({
        service_strategies: [{ service: 'checkout', type: 'probabilistic', param: 0 }],
        default_strategy: { type: 'probabilistic', param: 0 },
      }),
    });
    const served = await (await fetch(`${jaeger.samplingUrl}/sampling?service=checkout`)).json();
    expect(served).toEqual({ strategyType: 0, probabilisticSampling: { samplingRate: 0 } });
    const built = ['checkout', 'not-in-the-file'].map((service) =>
      buildSampler(
        {
          ratio: 1,
          jaegerRemote: { endpoint: jaeger.samplingUrl as string, pollingIntervalMs: 20 },
        },
        service,
        {},
      ),
    );
    try {
      const deadline = Date.now() + 10_000;
      const sampledAny = () => built.some((b) => decide(b.sampler, 'GET') === SAMPLED);
      while (sampledAny() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const b of built) expect(decide(b.sampler, 'GET')).toBe(DROPPED);
    } finally {
      for (const b of built) b.stop();
      await jaeger.stop();
    }
  });
});
