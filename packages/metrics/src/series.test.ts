// The writers and series tables, on the lowest and the highest prom-client 15.x we claim.
import { beforeAll, describe, expect, it } from 'vitest';
import { PROM_CLIENTS, installedVersion, withPromClient } from '../test/prom-versions.js';

const load = async () => ({
  prom: await import('prom-client'),
  index: await import('./index.js'),
  series: await import('./series.js'),
  probe: await import('./prom-internals/probe.js'),
  writes: await import('./prom-internals/writes.js'),
  exposition: await import('./exposition.js'),
});
type Loaded = Awaited<ReturnType<typeof load>>;

const BUCKETS = [0.005, 0.01, 0.1, 1, 5];
const NAMES = ['service', 'method', 'route'];
const values = [0.001, 0.004, 0.02, 0.5, 3, 42, 0.005, 1];
const ids = (n: number) => ({
  trace_id: `${n}`.padStart(32, '0'),
  span_id: `${n}`.padStart(16, '0'),
});
// Exemplar timestamps are the wall clock of each observation: equal up to them (a whole second
// prints without a fraction, so the exemplar's last field, whatever its shape).
const withoutTimestamps = (body: string): string =>
  body.replace(/( # \{[^}]*\} \S+) \S+\n/g, '$1 T\n');

describe.each(PROM_CLIENTS)('series on prom-client $version', (client) => {
  let m: Loaded;
  beforeAll(async () => {
    m = await withPromClient(client, load);
  });

  const histogram = (registry: InstanceType<Loaded['prom']['Registry']>, exemplars: boolean) => {
    const h = new m.prom.Histogram({
      name: 'h_seconds',
      help: 'h',
      labelNames: NAMES,
      buckets: BUCKETS,
      registers: [],
      enableExemplars: exemplars,
    });
    registry.registerMetric(h);
    return h;
  };
  const table = (max = 100, onOverflow: (service: string) => void = () => {}) =>
    new m.series.SeriesTable(NAMES, ['method'], max, onOverflow);
  const text = async (registry: InstanceType<Loaded['prom']['Registry']>) =>
    (await m.exposition.render(registry, 'text')).body;
  const openMetrics = async (registry: InstanceType<Loaded['prom']['Registry']>) =>
    withoutTimestamps((await m.exposition.render(registry, 'openmetrics')).body);

  it('is the version it claims, and the fast path applies to it', () => {
    expect(installedVersion(client.alias)).toBe(client.version);
    expect(m.probe.fastPathProblem()).toBeUndefined();
    const registry = new m.prom.Registry();
    const counter = new m.prom.Counter({ name: 'c_total', help: 'c', registers: [registry] });
    const gauge = new m.prom.Gauge({ name: 'g', help: 'g', registers: [registry] });
    expect(new m.series.CounterWriter(counter).fast).toBe(true);
    expect(new m.series.GaugeWriter(gauge).fast).toBe(true);
    expect(new m.series.HistogramWriter(histogram(registry, true)).fast).toBe(true);
    expect(new m.series.HistogramWriter(histogram(new m.prom.Registry(), false)).fast).toBe(true);
  });

  it('takes the fast path for every counter, gauge and histogram createMetrics registers', () => {
    // GenAI metrics register on first use of `genai`, those of one revision at a time.
    const optIn = process.env.OTEL_SEMCONV_STABILITY_OPT_IN;
    const metrics = ['', 'gen_ai_latest_experimental'].flatMap((revision) => {
      process.env.OTEL_SEMCONV_STABILITY_OPT_IN = revision;
      const registry = new m.prom.Registry();
      // The opt-in body-size histograms too: every metric the contract owns is registered.
      void m.index.createMetrics({
        serviceName: 'api',
        registry,
        collectDefaultMetrics: false,
        httpBodySizes: true,
      }).genai;
      return registry.getMetricsAsArray();
    });
    if (optIn === undefined) delete process.env.OTEL_SEMCONV_STABILITY_OPT_IN;
    else process.env.OTEL_SEMCONV_STABILITY_OPT_IN = optIn;
    // The cluster primary's own metrics are registered by createClusterMetrics, not here.
    const ours = m.index.CONTRACT.filter(
      (def) => def.owner === 'metrics' && !def.name.startsWith('metrics_cluster_'),
    ).map((def) => def.name);
    expect([...new Set(metrics.map((metric) => metric.name))].sort()).toEqual([...ours].sort());
    for (const metric of metrics) {
      const fast =
        metric instanceof m.prom.Histogram
          ? m.writes.histogramSeries(metric)
          : m.writes.valueSeries(metric as unknown as InstanceType<Loaded['prom']['Counter']>);
      expect([metric.name, fast !== undefined]).toEqual([metric.name, true]);
    }
  });

  it('writes what observe() writes: buckets, sum, count and exemplars', async () => {
    const publicApi = new m.prom.Registry();
    const direct = new m.prom.Registry();
    const h1 = histogram(publicApi, true);
    const writer = new m.series.HistogramWriter(histogram(direct, true));
    const t = table();
    const a = ['api', 'GET', '/a'];
    const b = ['api', 'POST', '/b'];
    values.forEach((value, i) => {
      const key = t.key(i % 2 === 0 ? a : b);
      const exemplar = i % 3 === 0 ? undefined : ids(i);
      const labels = key.labels;
      h1.observe(exemplar ? { labels, value, exemplarLabels: exemplar } : { labels, value });
      writer.observe(key, value, exemplar);
    });
    expect(await openMetrics(direct)).toBe(await openMetrics(publicApi));
    expect(await direct.metrics()).toBe(await publicApi.metrics());
    expect(await openMetrics(direct)).toContain(`# {trace_id="${ids(5).trace_id}"`);
  });

  it('starts over after reset() and remove(), as observe() does', async () => {
    const publicApi = new m.prom.Registry();
    const direct = new m.prom.Registry();
    const h1 = histogram(publicApi, false);
    const h2 = histogram(direct, false);
    const writer = new m.series.HistogramWriter(h2);
    const key = table().key(['api', 'GET', '/a']);
    const a = key.labels;
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
    const writer = new m.series.HistogramWriter(histogram(new m.prom.Registry(), true));
    const key = table().key(['api', 'GET', '/a']);
    writer.observe(key, 1, undefined);
    expect(() => writer.observe(key, Number.NaN, undefined)).toThrow(TypeError);
    writer.observe(key, 1, { trace_id: '1', span_id: '2' });
    expect(() => writer.observe(key, 1, { trace_id: 'x'.repeat(130) })).toThrow(RangeError);
  });

  it('adds to and sets the series inc()/set() would, and recreates it after reset()', async () => {
    const registry = new m.prom.Registry();
    const gauge = new m.prom.Gauge({
      name: 'g',
      help: 'g',
      labelNames: ['service', 'method'],
      registers: [registry],
    });
    const writer = new m.series.GaugeWriter(gauge);
    const get = new m.series.SeriesTable(['service', 'method'], [], 10, () => {}).key(['s', 'GET']);
    writer.add(get, 1);
    writer.add(get, 1);
    writer.add(get, -1);
    expect((await gauge.get()).values).toEqual([{ value: 1, labels: get.labels }]);
    gauge.reset();
    writer.add(get, 1);
    gauge.inc({ service: 's', method: 'GET' });
    expect((await gauge.get()).values).toEqual([{ value: 2, labels: get.labels }]);
    writer.set(get, 7);
    expect((await gauge.get()).values).toEqual([{ value: 7, labels: get.labels }]);
  });

  it("shares a series with prom-client's public API when both write the same labels", async () => {
    const registry = new m.prom.Registry();
    const counter = new m.prom.Counter({
      name: 'c_total',
      help: 'c',
      labelNames: NAMES,
      registers: [registry],
    });
    const writer = new m.series.CounterWriter(counter);
    const t = table();
    counter.inc({ service: 'api', method: 'GET', route: '/a, /b' }, 5);
    counter.inc({ service: 'api', method: 'GET', route: '/a' }, 2);
    writer.inc(t.key(['api', 'GET', '/a']), 3);
    expect(await text(registry)).toContain('c_total{service="api",method="GET",route="/a"} 5\n');
  });

  // The reproduction of issue 14: prom-client keys both label sets `name:value,` alike.
  const forged = [
    ['adv', 'x', 'y,service:adv,route:q'],
    ['adv', 'x,route:y,service:adv', 'q'],
  ];

  it('keeps label sets apart whose values hold commas and colons', async () => {
    const registry = new m.prom.Registry();
    const counter = new m.prom.Counter({
      name: 'c_total',
      help: 'c',
      labelNames: ['service', 'method', 'route'],
      registers: [registry],
    });
    const writer = new m.series.CounterWriter(counter);
    const t = table();
    const [one, two] = forged.map((v) => t.key(v));
    expect(one!.promHash).toBe(two!.promHash);
    writer.inc(one!, 10);
    writer.inc(two!, 20_000);
    const body = await text(registry);
    expect(body).toContain('c_total{service="adv",method="x",route="y,service:adv,route:q"} 10\n');
    expect(body).toContain(
      'c_total{service="adv",method="x,route:y,service:adv",route="q"} 20000\n',
    );
  });

  it('never writes into a slot where the public API put another label set', async () => {
    const registry = new m.prom.Registry();
    const counter = new m.prom.Counter({
      name: 'c_total',
      help: 'c',
      labelNames: ['service', 'method', 'route'],
      registers: [registry],
    });
    // prom-client keys this partial label set where ours (all three labels) belongs.
    counter.inc({ method: 'x', route: 'y,service:adv' }, 1);
    new m.series.CounterWriter(counter).inc(table().key(['adv', 'x', 'y']), 4);
    const body = await text(registry);
    expect(body).toContain('c_total{method="x",route="y,service:adv"} 1\n');
    expect(body).toContain('c_total{service="adv",method="x",route="y"} 4\n');
  });

  it('on the public-API path, folds a label set prom-client cannot key apart, and counts it', async () => {
    const registry = new m.prom.Registry();
    // A subclass may override writes, so it gets the public API.
    class Audited extends m.prom.Counter {}
    const counter = new Audited({
      name: 'c_total',
      help: 'c',
      labelNames: NAMES,
      registers: [registry],
    });
    const writer = new m.series.CounterWriter(counter);
    expect(writer.fast).toBe(false);
    const counted: string[] = [];
    const t = table(100, (service) => counted.push(service));
    const [one, two] = forged.map((v) => t.key(v));
    writer.inc(one!, 10);
    writer.inc(two!, 20_000);
    const body = await text(registry);
    expect(body).toContain('c_total{service="adv",method="x",route="y,service:adv,route:q"} 10\n');
    expect(body).toContain(
      'c_total{service="adv",method="x,route:y,service:adv",route="__overflow__"} 20000\n',
    );
    expect(counted).toEqual(['adv']);
  });

  it('admits label sets up to the budget, then the overflow series, which keeps closed labels', () => {
    const counted: string[] = [];
    const t = table(2, (service) => counted.push(service));
    const first = t.key(['api', 'GET', '/a']);
    t.key(['api', 'GET', '/b']);
    expect(t.key(['api', 'GET', '/a'])).toBe(first);
    const over = t.key(['api', 'POST', '/c']);
    expect(over.labels).toEqual({ service: 'api', method: 'POST', route: '__overflow__' });
    expect(t.key(['api', 'POST', '/d'])).toBe(over);
    expect(t.admit(['api', 'GET', '/e'])).toBeUndefined();
    expect(t.size).toBe(2);
    expect(counted).toEqual(['api', 'api']);
  });
});

describe('SeriesTable', () => {
  it('counts a write past the budget whose labels read like the overflow series, every time', async () => {
    const { SeriesTable } = await import('./series.js');
    let overflows = 0;
    const table = new SeriesTable(
      ['service', 'engine_type', 'token_type'],
      ['token_type'],
      1,
      () => {
        overflows += 1;
      },
    );
    const admitted = table.key(['api', 'openai', 'input']);
    const folded = table.key(['api', 'anthropic', 'output']);
    expect(folded.labels).toEqual({
      service: 'api',
      engine_type: '__overflow__',
      token_type: 'output',
    });
    // a label already past its own limit reads __overflow__: still a write past the budget
    expect(table.key(['api', '__overflow__', 'output'])).toBe(folded);
    expect(overflows).toBe(2);
    expect(table.key(['api', 'openai', 'input'])).toBe(admitted);
    expect(table.size).toBe(1);
  });
});
