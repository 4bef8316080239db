// Runs the whole benchmark on a tiny configuration (built dist, real servers, real load) and
// checks the report's shape: every section, and a met / not met line per target. No timings.
import { describe, expect, it } from 'vitest';
import { QUICK, runBench } from '../src/run.js';

describe('pnpm bench report', () => {
  it('measures a tiny configuration and reports every section and target', async () => {
    const { markdown, targets, results } = await runBench({
      settings: {
        ...QUICK,
        mode: 'custom',
        rounds: 1,
        durationSeconds: 0.5,
        warmupSeconds: 0,
        connections: 4,
        scrapeSeries: [200, 10_000],
        scrapeCounterSeries: [300],
        scrapeFamilies: [400],
        scrapeReps: 1,
        memorySeries: 500,
        hllUsers: 3_000,
        redisEvents: 1_000,
        genaiCalls: 50,
        tickChain: 20_000,
        tickReps: 2,
      },
      frameworks: ['express'],
      variants: ['bare', 'ours', 'peer', 'ours-trace-100', 'ours-trace-lean', 'otel'],
    });

    for (const section of [
      '# Benchmark report',
      '## Throughput',
      '### Express 5',
      '## Tracing: where the time goes',
      '## Scrape',
      '## Memory per series',
      '## Business metrics',
      '## GenAI SDK calls',
      '## nextTick after an idle collection',
      '## Targets',
      '## Closing note',
    ]) {
      expect(markdown).toContain(section);
    }
    // Every server answered every request of its window.
    expect(results.throughput.samples).toHaveLength(6);
    for (const sample of results.throughput.samples) {
      expect(sample.requests).toBeGreaterThan(0);
      expect(sample.errors).toBe(0);
      expect(sample.cpuMicrosPerRequest).toBeGreaterThan(0);
      // the kernel's part is part of the whole
      expect(sample.systemMicrosPerRequest).toBeGreaterThanOrEqual(0);
      expect(sample.systemMicrosPerRequest).toBeLessThanOrEqual(sample.cpuMicrosPerRequest);
      expect(typeof sample.settled).toBe('boolean');
    }
    // how many windows began with every server idle is in the report
    const settled = results.throughput.samples.filter((x) => x.settled).length;
    expect(markdown).toContain(`${settled} of 6 windows began settled.`);
    // Both kinds of openai SDK call were measured, bare and instrumented.
    expect(results.genai?.rows.map((r) => r.kind)).toEqual(['plain', 'streamed']);
    for (const row of results.genai?.rows ?? []) {
      expect(row.bare).toBeGreaterThan(0);
      expect(row.ours).toBeGreaterThan(0);
    }
    // nextTick was timed in a process keeping no tick, then in one keeping one (fresh workers)
    expect(results.ticks?.map((r) => r.keep)).toEqual([false, true]);
    for (const row of results.ticks ?? []) {
      expect(row.ticks).toBe(20_000);
      expect(row.reps).toBe(2);
      expect(row.beforeNs).toBeGreaterThan(0);
      expect(row.afterNs).toBeGreaterThan(0);
    }
    // The traced setups really exported to the loopback sink.
    expect(results.exported['express/ours-trace-100']?.bytes).toBeGreaterThan(0);
    expect(results.exported['express/otel']?.bytes).toBeGreaterThan(0);

    // Each ratio to bare comes with its spread over rounds (one round here: min = max = median).
    const oursRow = markdown.split('\n').find((l) => l.startsWith('| our adapter (metrics) |'));
    const ratios = [...(oursRow ?? '').matchAll(/(\d+\.\d\d) \((\d+\.\d\d)–(\d+\.\d\d)\)/g)];
    expect(ratios).toHaveLength(2);
    for (const [, mid, min, max] of ratios) expect([min, max]).toEqual([mid, mid]);
    expect(markdown).toMatch(/^Placement: /m);

    const names = targets.map((t) => t.name);
    expect(names).toEqual([
      'Express 5: our adapter <= 1.05x bare server CPU per request',
      'Express 5: our adapter >= 0.95 of bare throughput',
      'Express 5: our adapter ahead of express-prom-bundle 8.0.0',
      'Express 5: tracing at 100% >= 1.0x plain OpenTelemetry',
      "Express 5: tracing at 100%, profile 'lean' >= 1.5x plain OpenTelemetry",
      '10k-series scrape within 40 ms',
      '10k-series scrape: no event-loop stall over 20 ms',
      'MAU of 3,000 users within 2%',
      'day sketches of at most 16 KiB',
      'at least 50k events/s into Redis',
      'instrumented openai call costs <= 15% more client CPU than the bare call (plain and streamed)',
    ]);
    const targetLines = markdown.split('\n').filter((l) => /^- (met|not met): /.test(l));
    expect(targetLines).toHaveLength(targets.length);
    for (const target of targets.filter((t) => !t.met)) {
      expect(markdown).toContain(`- ${target.name}: `);
    }
    expect(results.scrape?.map((s) => [s.series, s.kind])).toEqual([
      [200, 'histogram'],
      [10_000, 'histogram'],
      [300, 'counter'],
      [400, 'families'],
    ]);
    expect(markdown).toMatch(/^\| 300 \(counter\) \| /m);
    expect(markdown).toMatch(/^\| 400 \(families\) \| /m);
    // each timed scrape (ours, prom-client's) waited for the memory to settle, within the cap
    for (const s of results.scrape ?? []) {
      expect(s.settlesMs).toHaveLength(2);
      for (const ms of s.settlesMs ?? []) expect(ms).toBeGreaterThanOrEqual(100);
    }
    expect(markdown).toMatch(/Each wait for the memory took \d+–\d+ ms/);
    expect(results.hll?.mau).toBeGreaterThan(0);
    // every request of a 100% setup is answered inside a sampled trace; untraced setups say nothing
    for (const sample of results.throughput.samples) {
      const traced = ['ours-trace-100', 'ours-trace-lean', 'otel'].includes(sample.variant);
      expect(sample.sampledShare, sample.variant).toBe(traced ? 1 : undefined);
    }
  });

  it('--throughput-only measures the given setups and reports the rate the default samples', async () => {
    const { markdown, targets, results } = await runBench({
      settings: {
        ...QUICK,
        mode: 'custom',
        throughputOnly: true,
        rounds: 1,
        durationSeconds: 1,
        warmupSeconds: 0,
        connections: 4,
      },
      frameworks: ['koa'],
      variants: ['bare', 'ours-trace-default'],
    });
    expect(results.scrape).toBeUndefined();
    expect(markdown).not.toContain('## Scrape');
    const traced = results.throughput.samples.find((s) => s.variant === 'ours-trace-default');
    // a second of load at thousands of requests: the per-process cap keeps a small share
    expect(traced?.requests).toBeGreaterThan(100);
    expect(traced?.sampledShare).toBeGreaterThan(0);
    expect(traced?.sampledShare).toBeLessThan(0.5);
    expect(targets.map((t) => t.name)).toEqual([
      'Koa 3: tracing at default sampling >= 0.75 of bare',
    ]);
    expect(targets[0]?.detail).toMatch(/% of requests sampled \(\d+\.\d traces\/s\)/);
  });

  it('floor setups and the fair comparison: plain OpenTelemetry with our adapter', async () => {
    const { targets, results } = await runBench({
      settings: {
        ...QUICK,
        mode: 'custom',
        throughputOnly: true,
        rounds: 1,
        durationSeconds: 0.5,
        warmupSeconds: 0,
        connections: 4,
      },
      frameworks: ['fastify'],
      variants: [
        'bare',
        'floor-als',
        'floor-http-off',
        'floor-http-default',
        'ours-trace-100',
        'otel-ours',
      ],
    });
    const share = (variant: string): number | undefined =>
      results.throughput.samples.find((s) => s.variant === variant)?.sampledShare;
    // the context manager alone still brings each request's context to its handler
    expect(share('floor-als')).toBe(1);
    expect(share('floor-http-off')).toBe(0);
    expect(share('floor-http-default')).toBeGreaterThan(0);
    expect(share('otel-ours')).toBe(1);
    expect(results.exported['fastify/otel-ours']?.bytes).toBeGreaterThan(0);
    expect(targets.map((t) => t.name)).toEqual([
      'Fastify 5: tracing at 100% >= 1.0x plain OpenTelemetry + our adapter',
    ]);
  });
});
