import { Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { render } from './exposition.js';
import { GaugeWriter, HistogramWriter, seriesKey } from './series.js';

const BUCKETS = [0.005, 0.01, 0.1, 1, 5];
const NAMES = ['method', 'route', 'service'];

function histogram(registry: Registry, exemplars: boolean): Histogram {
  const h = new Histogram({
    name: 'h_seconds',
    help: 'h',
    labelNames: NAMES,
    buckets: BUCKETS,
    registers: [],
    enableExemplars: exemplars,
  });
  registry.registerMetric(h);
  return h;
}

// Exemplar timestamps are the wall clock of each observation: equal up to them.
const withoutTimestamps = (body: string): string => body.replace(/ \d+\.\d+\n/g, ' T\n');

async function openMetrics(registry: Registry): Promise<string> {
  return withoutTimestamps((await render(registry, 'openmetrics')).body);
}

const a = { service: 'api', method: 'GET', route: '/a' };
const b = { service: 'api', method: 'POST', route: '/b' };
const ids = (n: number) => ({
  trace_id: `${n}`.padStart(32, '0'),
  span_id: `${n}`.padStart(16, '0'),
});
const values = [0.001, 0.004, 0.02, 0.5, 3, 42, 0.005, 1];

describe('HistogramWriter', () => {
  it('writes what prom-client observe() writes: buckets, sum, count and exemplars', async () => {
    const publicApi = new Registry();
    const direct = new Registry();
    const h1 = histogram(publicApi, true);
    const writer = new HistogramWriter(histogram(direct, true));
    const keys = [seriesKey(a, writer.sortedLabelNames), seriesKey(b, writer.sortedLabelNames)];
    values.forEach((value, i) => {
      const labels = i % 2 === 0 ? a : b;
      const exemplar = i % 3 === 0 ? undefined : ids(i);
      h1.observe(exemplar ? { labels, value, exemplarLabels: exemplar } : { labels, value });
      writer.observe(keys[i % 2]!, value, exemplar);
    });
    expect(await openMetrics(direct)).toBe(await openMetrics(publicApi));
    expect(await direct.metrics()).toBe(await publicApi.metrics());
    expect(await openMetrics(direct)).toContain(`# {trace_id="${ids(5).trace_id}"`);
  });

  it('starts over after reset() and remove(), as observe() does', async () => {
    const publicApi = new Registry();
    const direct = new Registry();
    const h1 = histogram(publicApi, false);
    const h2 = histogram(direct, false);
    const writer = new HistogramWriter(h2);
    const key = seriesKey(a, writer.sortedLabelNames);
    for (const value of values) {
      h1.observe(a, value);
      writer.observe(key, value, undefined);
    }
    h1.reset();
    h2.reset();
    h1.observe(a, 0.3);
    writer.observe(key, 0.3, undefined);
    h1.remove(a);
    h2.remove(a);
    h1.observe(a, 2);
    writer.observe(key, 2, undefined);
    writer.observe(key, 0.02, undefined);
    h1.observe(a, 0.02);
    expect(await direct.metrics()).toBe(await publicApi.metrics());
    expect(await direct.metrics()).toContain(
      'h_seconds_count{service="api",method="GET",route="/a"} 2',
    );
  });

  it('rejects what observe() rejects', () => {
    const writer = new HistogramWriter(histogram(new Registry(), true));
    const key = seriesKey(a, writer.sortedLabelNames);
    writer.observe(key, 1, undefined);
    expect(() => writer.observe(key, Number.NaN, undefined)).toThrow(TypeError);
    writer.observe(key, 1, { trace_id: '1', span_id: '2' });
    expect(() => writer.observe(key, 1, { trace_id: 'x'.repeat(130) })).toThrow(RangeError);
  });
});

describe('GaugeWriter', () => {
  it('adds to the series inc()/dec() would, and recreates it after reset()', async () => {
    const registry = new Registry();
    const gauge = new Gauge({
      name: 'g',
      help: 'g',
      labelNames: ['method'],
      registers: [registry],
    });
    const writer = new GaugeWriter(gauge);
    const get = seriesKey({ method: 'GET' }, writer.sortedLabelNames);
    writer.add(get, 1);
    writer.add(get, 1);
    writer.add(get, -1);
    expect((await gauge.get()).values).toEqual([{ value: 1, labels: { method: 'GET' } }]);
    gauge.reset();
    writer.add(get, 1);
    gauge.inc({ method: 'GET' });
    expect((await gauge.get()).values).toEqual([{ value: 2, labels: { method: 'GET' } }]);
  });

  it('falls back to the public API for a metric without prom-client internals', () => {
    const calls: unknown[] = [];
    const fake = { inc: (...args: unknown[]) => calls.push(args) } as unknown as Gauge;
    new GaugeWriter(fake).add(seriesKey({ method: 'GET' }, []), -1);
    expect(calls).toEqual([[{ method: 'GET' }, -1]]);
  });
});
