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
        scrapeReps: 1,
        memorySeries: 500,
        hllUsers: 3_000,
        redisEvents: 1_000,
        genaiCalls: 50,
      },
      frameworks: ['express'],
      variants: ['bare', 'ours', 'peer', 'ours-trace-100', 'otel'],
    });

    for (const section of [
      '# Benchmark report',
      '## Throughput',
      '### Express 5',
      '## Scrape',
      '## Memory per series',
      '## Business metrics',
      '## GenAI SDK calls',
      '## Targets',
      '## Closing note',
    ]) {
      expect(markdown).toContain(section);
    }
    // Every server answered every request of its window.
    expect(results.throughput.samples).toHaveLength(5);
    for (const sample of results.throughput.samples) {
      expect(sample.requests).toBeGreaterThan(0);
      expect(sample.errors).toBe(0);
      expect(sample.cpuMicrosPerRequest).toBeGreaterThan(0);
    }
    // Both kinds of openai SDK call were measured, bare and instrumented.
    expect(results.genai.rows.map((r) => r.kind)).toEqual(['plain', 'streamed']);
    for (const row of results.genai.rows) {
      expect(row.bare).toBeGreaterThan(0);
      expect(row.ours).toBeGreaterThan(0);
    }
    // The traced setups really exported to the loopback sink.
    expect(results.exported['express/ours-trace-100']?.bytes).toBeGreaterThan(0);
    expect(results.exported['express/otel']?.bytes).toBeGreaterThan(0);

    const names = targets.map((t) => t.name);
    expect(names).toEqual([
      'Express 5: our adapter >= 0.95 of bare throughput',
      'Express 5: our adapter <= +5 µs server CPU per request',
      'Express 5: our adapter ahead of express-prom-bundle 8.0.0',
      'Express 5: tracing at 100% >= 1.5x plain OpenTelemetry',
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
    expect(results.scrape.map((s) => s.series)).toEqual([200, 10_000]);
    expect(results.hll.mau).toBeGreaterThan(0);
  });
});
