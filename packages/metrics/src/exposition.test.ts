import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import type { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { promtoolCheckMetrics, requireBinary } from '@ai-orchestrator/testkit';
import { PROM_CLIENTS, withPromClient } from '../test/prom-versions.js';

const promtool = requireBinary('promtool');

const load = async () => ({
  prom: await import('prom-client'),
  index: await import('./index.js'),
  exposition: await import('./exposition.js'),
});

describe.each(PROM_CLIENTS)('on prom-client $version', (client) => {
  let m: Awaited<ReturnType<typeof load>>;
  beforeAll(async () => {
    m = await withPromClient(client, load);
  });

  describe('exposition', () => {
    const contextManager = new AsyncLocalStorageContextManager();
    beforeAll(() => {
      contextManager.enable();
      context.setGlobalContextManager(contextManager);
    });
    afterAll(() => {
      context.disable();
    });

    it('serves the active span ids as exemplars in OpenMetrics, and none in text', async () => {
      const registry = new m.prom.Registry();
      const metrics = m.index.createMetrics({
        serviceName: 'api',
        registry,
        collectDefaultMetrics: false,
      });
      const tracer = new BasicTracerProvider().getTracer('test');
      const span = tracer.startSpan('GET /users/:id');
      const { traceId, spanId } = span.spanContext();
      context.with(trace.setSpan(context.active(), span), () => {
        metrics.http.start('GET').end({ route: '/users/:id', statusCode: 200 });
        metrics.recordWorkflowExecution('wf-77', 'summarize', 'openai', 'success', 30);
      });
      span.end();

      const om = await metrics.expose('openmetrics');
      expect(om.contentType).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
      expect(om.body.endsWith('# EOF\n')).toBe(true);
      expect(om.body).toMatch(
        new RegExp(
          // whichever bucket the request's time fell in (a busy machine can make it slow)
          `http_server_request_duration_seconds_bucket\\{[^}]*le="[^"]+"\\} 1 # \\{trace_id="${traceId}",span_id="${spanId}"\\} [0-9.e-]+ [0-9.]+`,
        ),
      );
      expect(om.body).toContain(
        `# {trace_id="${traceId}",span_id="${spanId}",workflow_id="wf-77"} 0.03`,
      );
      expect(om.body).toContain('# TYPE workflow_executions counter');
      expect(om.body).toContain('workflow_executions_total{service="api"');

      const text = await metrics.expose('text');
      expect(text.body).not.toContain(traceId);
      expect(text.body).toContain('# TYPE workflow_executions_total counter');
    });

    it('records no exemplar without an active span', async () => {
      const registry = new m.prom.Registry();
      const metrics = m.index.createMetrics({
        serviceName: 'api',
        registry,
        collectDefaultMetrics: false,
      });
      metrics.http.start('GET').end({ route: '/', statusCode: 200 });
      const { body } = await metrics.expose('openmetrics');
      expect(body).not.toContain('trace_id');
    });

    it('negotiates the format from the Accept header as Prometheus sends it', () => {
      expect(
        m.exposition.negotiate(
          'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
        ),
      ).toBe('openmetrics');
      expect(m.exposition.negotiate('text/plain;version=0.0.4')).toBe('text');
      expect(m.exposition.negotiate('application/openmetrics-text;q=0')).toBe('text');
      expect(m.exposition.negotiate(undefined)).toBe('text');
    });

    it.skipIf(!promtool)(
      'stays valid for promtool with any label value (quotes, backslashes, newlines, unicode)',
      async () => {
        await fc.assert(
          fc.asyncProperty(
            fc.array(fc.string({ unit: 'binary', maxLength: 40 }), { minLength: 1, maxLength: 8 }),
            async (values) => {
              const registry = new m.prom.Registry();
              const counter = new m.prom.Counter({
                name: 'odd_values_total',
                help: 'Help with \\ and\nnewline.',
                labelNames: ['v'],
                registers: [registry],
              });
              const metrics = m.index.createMetrics({
                serviceName: 'svc"\\\n☃',
                registry,
                collectDefaultMetrics: false,
              });
              for (const v of values) {
                counter.inc({ v });
                metrics.http.start('GET').end({ route: v, statusCode: 200 });
              }
              const { body } = await m.exposition.render(registry, 'text');
              const result = promtoolCheckMetrics(promtool as string, body);
              expect(result.output).toBe('');
              expect(result.code).toBe(0);
            },
          ),
          { numRuns: 25 },
        );
      },
    );
  });

  describe('exposition fast path for histograms', () => {
    const label = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 12 }),
      fc.constantFrom('"', '\\', '\n', '', 'a"b\\c\nd', '☃'),
      fc.integer({ min: -5, max: 500 }),
    );

    function fill(
      registry: Registry,
      observations: readonly { a: string | number; b: string | number; v: number }[],
      exemplars: boolean,
    ): void {
      const labelled = new m.prom.Histogram({
        name: 'labelled_seconds',
        help: 'A histogram with labels, help with \\ and\nnewline.',
        labelNames: ['a', 'b'],
        buckets: [0.005, 0.1, 1, 2.5],
        registers: [],
        enableExemplars: exemplars,
      });
      registry.registerMetric(labelled);
      const bare = new m.prom.Histogram({
        name: 'bare_bytes',
        help: 'No labels.',
        registers: [registry],
      });
      const counter = new m.prom.Counter({
        name: 'things_total',
        help: 'A counter between histograms.',
        labelNames: ['a'],
        registers: [registry],
      });
      for (const { a, b, v } of observations) {
        if (exemplars) {
          // prom-client types exemplar labels as the metric's label names; any name is valid here
          const exemplarLabels = { trace_id: `t${v}` } as unknown as Record<'a' | 'b', string>;
          labelled.observe({ labels: { a, b }, value: v, exemplarLabels });
        } else {
          labelled.observe({ a, b }, v);
        }
        bare.observe(v * 1000);
        counter.inc({ a });
      }
      // A label set declared before any observation, and one whose `b` is left out.
      labelled.zero({ a: 'zeroed', b: 'z' });
      if (!exemplars) labelled.observe({ a: 'only-a' }, 0.2);
    }

    it('renders the same bytes as the generic path, in both formats', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.record({ a: label, b: label, v: fc.double({ min: 0, max: 20, noNaN: true }) }),
            {
              maxLength: 30,
            },
          ),
          fc.boolean(),
          async (observations, exemplars) => {
            const registry = new m.prom.Registry();
            fill(registry, observations, exemplars);
            for (const format of ['text', 'openmetrics'] as const) {
              const fast = await m.exposition.render(registry, format);
              const generic = await m.exposition.renderGeneric(registry, format);
              expect(fast.body).toBe(generic.body);
              expect(fast.contentType).toBe(generic.contentType);
            }
          },
        ),
        { numRuns: 60 },
      );
    });

    it('keeps the output of the contract metrics, default labels and a label object changed later', async () => {
      const registry = new m.prom.Registry();
      const metrics = m.index.createMetrics({
        serviceName: 'api',
        registry,
        collectDefaultMetrics: false,
      });
      metrics.http.start('GET').end({ route: '/users/:id', statusCode: 200 });
      metrics.recordWorkflowExecution('wf-1', 'summarize', 'openai', 'success', 30);
      for (const format of ['text', 'openmetrics'] as const) {
        expect((await m.exposition.render(registry, format)).body).toBe(
          (await m.exposition.renderGeneric(registry, format)).body,
        );
      }

      const custom = new m.prom.Histogram({
        name: 'mutated_seconds',
        help: 'h',
        labelNames: ['route'],
        registers: [registry],
      });
      const labels = { route: '/a' };
      custom.observe(labels, 1);
      await m.exposition.render(registry, 'text');
      labels.route = '/b'; // the caller changed the object prom-client keeps: render what it holds
      const after = await m.exposition.render(registry, 'text');
      expect(after.body).toContain('mutated_seconds_count{route="/b"} 1');
      expect(after.body).toBe((await m.exposition.renderGeneric(registry, 'text')).body);

      registry.setDefaultLabels({ region: 'eu', route: 'default' });
      for (const format of ['text', 'openmetrics'] as const) {
        const body = (await m.exposition.render(registry, format)).body;
        expect(body).toContain('mutated_seconds_count{route="/b",region="eu"} 1');
        expect(body).toBe((await m.exposition.renderGeneric(registry, format)).body);
      }
    });

    it('renders the same bytes for any bucket bounds, whatever the length of their `le` text', async () => {
      // `le="…"} ` is written in 32-bit words: texts of every length modulo 4, at chunk ends too
      const bound = fc.oneof(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.constantFrom(1e-7, 5e-324, 1e21, 123456789.125, -0.5, 0, 1, 10, 0.1 + 0.2),
        fc.integer({ min: -1000, max: 100_000 }),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(bound, { minLength: 1, maxLength: 12, comparator: (a, b) => a === b }),
          fc.integer({ min: 1, max: 400 }),
          async (bounds, series) => {
            const buckets = [...bounds].sort((a, b) => a - b);
            const registry = new m.prom.Registry();
            const histogram = new m.prom.Histogram({
              name: 'bounded_seconds',
              help: 'h',
              labelNames: ['route'],
              buckets,
              registers: [registry],
            });
            for (let i = 0; i < series; i++) {
              histogram.observe({ route: `/r/${i}` }, buckets[i % buckets.length] as number);
            }
            const fast = await m.exposition.render(registry, 'text');
            expect(fast.body).toBe((await m.exposition.renderGeneric(registry, 'text')).body);
          },
        ),
        { numRuns: 60 },
      );
    });

    it('renders series whose lines start short, long and longer than the scratch memory, in turn', async () => {
      const registry = new m.prom.Registry();
      const histogram = new m.prom.Histogram({
        name: 'heads_seconds',
        help: 'h',
        labelNames: ['route'],
        buckets: [0.1, 1],
        registers: [registry],
      });
      // heads of views kept by length, of a view each, of memory of their own, then short again
      for (const length of [1, 600, 5000, 2, 600, 9000, 3, 4000, 511, 512, 513]) {
        histogram.observe({ route: `/${'x'.repeat(length)}` }, length / 1000);
      }
      histogram.observe({ route: `/${'☃'.repeat(300)}` }, 0.5);
      for (let scrape = 0; scrape < 2; scrape++) {
        for (const format of ['text', 'openmetrics'] as const) {
          expect((await m.exposition.render(registry, format)).body).toBe(
            (await m.exposition.renderGeneric(registry, format)).body,
          );
        }
      }
    });

    it('renders histograms that were given one array of buckets under their own names', async () => {
      const registry = new m.prom.Registry();
      const buckets = [0.1, 1];
      for (const name of ['first_seconds', 'second_seconds']) {
        new m.prom.Histogram({ name, help: 'h', buckets, registers: [registry] }).observe(0.5);
      }
      for (let scrape = 0; scrape < 2; scrape++) {
        const { body } = await m.exposition.render(registry, 'text');
        expect(body).toContain('first_seconds_bucket{le="1"} 1');
        expect(body).toContain('second_seconds_bucket{le="1"} 1');
        expect(body).toBe((await m.exposition.renderGeneric(registry, 'text')).body);
      }
    });

    it('renders series longer than a chunk, and multi-byte text across many chunks', async () => {
      const registry = new m.prom.Registry();
      const histogram = new m.prom.Histogram({
        name: 'wide_seconds',
        help: 'h',
        labelNames: ['route'],
        registers: [registry],
      });
      histogram.observe({ route: `/${'é☃'.repeat(40_000)}` }, 0.3);
      for (let i = 0; i < 3000; i++) histogram.observe({ route: `/${i}/☃` }, i / 100);
      const { chunks } = await m.exposition.renderStream(registry, 'text');
      let count = 0;
      for await (const chunk of chunks) {
        expect(Buffer.isBuffer(chunk)).toBe(true);
        count += 1;
      }
      expect(count).toBeGreaterThan(10);
      for (const format of ['text', 'openmetrics'] as const) {
        expect((await m.exposition.render(registry, format)).body).toBe(
          (await m.exposition.renderGeneric(registry, format)).body,
        );
      }
    });

    it('renders the same bytes where code cannot be generated from strings', async () => {
      // as under --disallow-code-generation-from-strings: the bucket reader falls back to a loop
      vi.stubGlobal(
        'Function',
        class {
          constructor() {
            throw new EvalError('Code generation from strings disallowed for this context');
          }
        },
      );
      try {
        const registry = new m.prom.Registry();
        const histogram = new m.prom.Histogram({
          name: 'no_eval_seconds',
          help: 'h',
          labelNames: ['route'],
          buckets: [0.5, 1, 7.5, 10, 250],
          registers: [registry],
        });
        for (let i = 0; i < 40; i++) histogram.observe({ route: `/${i % 7}` }, i / 3);
        for (const format of ['text', 'openmetrics'] as const) {
          const body = (await m.exposition.render(registry, format)).body;
          expect(body).toContain('no_eval_seconds_bucket{route="/0",le="10"} 5');
          expect(body).toBe((await m.exposition.renderGeneric(registry, format)).body);
        }
      } finally {
        vi.unstubAllGlobals();
      }
    });

    it('renders histograms of very many buckets, and writes no bucket reader again for bounds it has seen', async () => {
      const registry = new m.prom.Registry();
      const wide = new m.prom.Histogram({
        name: 'wide_buckets_seconds',
        help: 'h',
        labelNames: ['a'],
        buckets: Array.from({ length: 400 }, (_, i) => (i + 1) / 100),
        registers: [registry],
      });
      for (let i = 0; i < 50; i++) wide.observe({ a: `${i % 3}` }, i / 10);
      for (const format of ['text', 'openmetrics'] as const) {
        expect((await m.exposition.render(registry, format)).body).toBe(
          (await m.exposition.renderGeneric(registry, format)).body,
        );
      }
      // The cluster primary's families come with new bounds arrays at each scrape.
      const written = vi.spyOn(globalThis, 'Function');
      try {
        for (let scrape = 0; scrape < 3; scrape++) {
          const { chunks } = m.exposition.renderFamilies(
            [
              {
                kind: 'histogram',
                name: 'merged_seconds',
                help: 'h',
                bounds: [0.25, 0.5, 1, 2.5, 7.25],
                entries: [
                  {
                    labels: { a: 'x' },
                    bucketValues: { 0.25: 1, 0.5: 0, 1: 2, 2.5: 0, 7.25: 1 },
                    sum: 9,
                    count: 5,
                  },
                ],
              },
            ],
            'text',
          );
          let body = '';
          for await (const chunk of chunks) body += chunk.toString('utf8');
          expect(body).toContain('merged_seconds_bucket{a="x",le="1"} 3\n');
          expect(body).toContain('merged_seconds_bucket{a="x",le="+Inf"} 5\n');
        }
        expect(written.mock.calls.length).toBeLessThanOrEqual(1);
      } finally {
        written.mockRestore();
      }
    });

    it("reads a histogram's series when its turn comes: one added or removed before is rendered as it is then", async () => {
      const registry = new m.prom.Registry();
      const first = new m.prom.Histogram({
        name: 'first_seconds',
        help: 'h',
        labelNames: ['route'],
        registers: [registry],
      });
      const second = new m.prom.Histogram({
        name: 'second_seconds',
        help: 'h',
        labelNames: ['route'],
        registers: [registry],
      });
      first.observe({ route: '/kept' }, 1);
      second.observe({ route: '/removed' }, 1);
      const { chunks } = await m.exposition.renderStream(registry, 'text');
      first.observe({ route: '/added' }, 1);
      second.remove({ route: '/removed' });
      second.observe({ route: '/later' }, 2);
      let body = '';
      for await (const chunk of chunks) body += chunk.toString('utf8');
      expect(body).toBe((await m.exposition.renderGeneric(registry, 'text')).body);
      expect(body).toContain('first_seconds_count{route="/added"} 1');
      expect(body).not.toContain('/removed');
    });

    describe('a registry of many metrics', () => {
      // Far more than one slice starts (a few thousand get()s take well over a millisecond).
      const METRICS = 20_000;
      // Every metric but the counters (one in three) has a collect callback.
      const COLLECTED = METRICS - Math.ceil(METRICS / 3);

      function many(registry: Registry, collected: number[]): void {
        for (let i = 0; i < METRICS; i++) {
          const kind = i % 3;
          if (kind === 0) {
            new m.prom.Counter({ name: `c${i}_total`, help: 'h', registers: [registry] }).inc(i);
          } else if (kind === 1) {
            new m.prom.Gauge({
              name: `g${i}`,
              help: 'h',
              registers: [registry],
              collect() {
                collected.push(i);
                this.set(i);
              },
            });
          } else {
            new m.prom.Gauge({
              name: `a${i}`,
              help: 'h',
              registers: [registry],
              async collect() {
                collected.push(i);
                await new Promise((resolve) => setImmediate(resolve));
                this.set(-i);
              },
            });
          }
        }
      }

      it('starts every collection in order, once, and renders what getMetricsAsJSON() gives', async () => {
        const registry = new m.prom.Registry();
        const collected: number[] = [];
        many(registry, collected);
        const body = (await m.exposition.render(registry, 'text')).body;
        const expected = Array.from({ length: METRICS }, (_, i) => i).filter((i) => i % 3 !== 0);
        expect(collected).toEqual(expected);
        collected.length = 0;
        expect(body).toBe((await m.exposition.renderGeneric(registry, 'text')).body);
      });

      it('lets the event loop run while the collections start, and resolves once all are done', async () => {
        const registry = new m.prom.Registry();
        const collected: number[] = [];
        many(registry, collected);
        let ran = false;
        setImmediate(() => (ran = true));
        const pending = m.exposition.renderStream(registry, 'text');
        // The first slice started some, not all: an immediate queued before ran between slices.
        expect(collected.length).toBeGreaterThan(0);
        expect(collected.length).toBeLessThan(COLLECTED);
        await pending;
        expect(ran).toBe(true);
        expect(collected.length).toBe(COLLECTED);
      });

      it("reads a large registry's metrics by name as they come and go, without getMetricsAsArray()", async () => {
        const registry = new m.prom.Registry();
        const counter = (name: string) =>
          new m.prom.Counter({ name, help: 'h', registers: [registry] }).inc();
        // More than the 2,000 keys from which a map gets a key index.
        for (let i = 0; i < 2_500; i++) counter(`c${i}_total`);
        const same = async () => {
          const asArray = vi.spyOn(m.prom.Registry.prototype, 'getMetricsAsArray');
          let body: string;
          try {
            body = (await m.exposition.render(registry, 'text')).body;
            expect(asArray).not.toHaveBeenCalled();
          } finally {
            asArray.mockRestore();
          }
          expect(body).toBe((await m.exposition.renderGeneric(registry, 'text')).body);
        };
        await m.exposition.render(registry, 'text'); // reads the names once, then indexes them
        await same();
        registry.removeSingleMetric('c5_total');
        counter('added_total');
        counter('c5_total'); // registered again: listed last, as Object.values lists it
        await same();
        registry.clear();
        for (let i = 0; i < 2_100; i++) counter(`after_clear_${i}`);
        await m.exposition.render(registry, 'text');
        await same();
      });

      it('renders what a getMetricsAsArray() of its own gives, on the instance or in a subclass', async () => {
        class FirstOnly extends m.prom.Registry {
          override getMetricsAsArray() {
            return super.getMetricsAsArray().slice(0, 1);
          }
        }
        for (const registry of [new m.prom.Registry(), new FirstOnly()]) {
          for (const name of ['first_total', 'second_total']) {
            new m.prom.Counter({ name, help: 'h', registers: [registry] }).inc();
          }
          if (!(registry instanceof FirstOnly)) {
            const own = registry.getMetricsAsArray.bind(registry);
            registry.getMetricsAsArray = () => own().slice(0, 1);
          }
          const { body } = await m.exposition.render(registry, 'text');
          expect(body).toContain('first_total 1');
          expect(body).not.toContain('second_total');
        }
      });

      it('fails the scrape with a collection that failed in a later slice, and leaves no rejection unhandled', async () => {
        const registry = new m.prom.Registry();
        many(registry, []);
        new m.prom.Gauge({
          name: 'broken_sync',
          help: 'h',
          registers: [registry],
          collect() {
            throw new Error('sync collect failed');
          },
        });
        const unhandled = vi.fn();
        process.on('unhandledRejection', unhandled);
        try {
          await expect(m.exposition.renderStream(registry, 'text')).rejects.toThrow(
            'sync collect failed',
          );
          registry.removeSingleMetric('broken_sync');
          // An async failure among the first metrics, reported after later slices started.
          const early = new m.prom.Registry();
          new m.prom.Gauge({
            name: 'broken_async',
            help: 'h',
            registers: [early],
            async collect() {
              await Promise.resolve();
              throw new Error('async collect failed');
            },
          });
          many(early, []);
          await expect(m.exposition.renderStream(early, 'text')).rejects.toThrow(
            'async collect failed',
          );
          await new Promise((resolve) => setImmediate(resolve));
          expect(unhandled).not.toHaveBeenCalled();
        } finally {
          process.off('unhandledRejection', unhandled);
        }
      });
    });

    it('runs a histogram collect callback before reading it, as prom-client does', async () => {
      const registry = new m.prom.Registry();
      let calls = 0;
      new m.prom.Histogram({
        name: 'collected_seconds',
        help: 'h',
        registers: [registry],
        async collect() {
          calls += 1;
          await Promise.resolve();
          this.observe(calls);
        },
      });
      const { body } = await m.exposition.render(registry, 'text');
      expect(calls).toBe(1);
      expect(body).toContain('collected_seconds_count 1\n');
    });
  });

  describe('exposition fast path for counters and gauges', () => {
    const value = fc.oneof(
      fc.double({ min: -1e9, max: 1e9, noNaN: true }),
      fc.constantFrom(0, -0, 0.1 + 0.2, 1e21, 5e-324, Infinity, -Infinity, NaN),
    );
    const label = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 10 }),
      fc.constantFrom('"', '\\', '\n', '', 'a,b:c', '☃'),
    );

    it('renders the same bytes as the generic path, whatever was written, removed or collected', async () => {
      const step = fc.oneof(
        fc.record({
          op: fc.constant('inc' as const),
          a: label,
          v: fc.double({ min: 0, max: 1e6, noNaN: true }),
        }),
        fc.record({ op: fc.constant('set' as const), a: label, v: value }),
        fc.record({ op: fc.constant('remove' as const), a: label }),
        fc.record({ op: fc.constant('reset' as const) }),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.array(step, { maxLength: 30 }),
          fc.boolean(),
          async (steps, exemplars) => {
            const registry = new m.prom.Registry();
            const counter = new m.prom.Counter({
              name: 'jobs_total',
              help: 'Jobs, help with \\ and\nnewline.',
              labelNames: ['a'],
              registers: [],
              enableExemplars: exemplars,
            });
            // (exemplars are refused on a registry given at construction unless it is OpenMetrics)
            registry.registerMetric(counter);
            const gauge = new m.prom.Gauge({
              name: 'queue_depth',
              help: 'Depth.',
              labelNames: ['a'],
              registers: [registry],
            });
            let collected = 0;
            new m.prom.Gauge({
              name: 'collected',
              help: 'Set by its collect callback.',
              registers: [registry],
              async collect() {
                await Promise.resolve();
                this.set(++collected);
              },
            });
            new m.prom.Counter({ name: 'bare_total', help: 'No labels.', registers: [registry] });
            for (const s of steps) {
              if (s.op === 'inc') {
                if (exemplars) {
                  const exemplarLabels = { trace_id: 't1' } as unknown as Record<'a', string>;
                  counter.inc({ labels: { a: s.a }, value: s.v, exemplarLabels });
                } else counter.inc({ a: s.a }, s.v);
              } else if (s.op === 'set') gauge.set({ a: s.a }, s.v);
              else if (s.op === 'remove') {
                counter.remove({ a: s.a });
                gauge.remove({ a: s.a });
              } else gauge.reset();
            }
            for (const format of ['text', 'openmetrics'] as const) {
              const fast = await m.exposition.render(registry, format);
              const generic = await m.exposition.renderGeneric(registry, format);
              // the collect callback ran once for each, and counted up
              expect(fast.body.replace(/^collected \d+$/m, '')).toBe(
                generic.body.replace(/^collected \d+$/m, ''),
              );
              expect(fast.body).toMatch(/^collected \d+$/m);
            }
          },
        ),
        { numRuns: 60 },
      );
    });

    it("renders what an instance's own get() gives", async () => {
      const registry = new m.prom.Registry();
      const counter = new m.prom.Counter({ name: 'own_total', help: 'h', registers: [registry] });
      counter.inc(2);
      counter.get = (async () => ({
        name: 'own_total',
        help: 'h',
        type: 'counter' as never,
        values: [{ value: 42, labels: {} }],
        aggregator: 'sum',
      })) as never;
      const { body } = await m.exposition.render(registry, 'text');
      expect(body).toContain('own_total 42\n');
    });

    it("reads a large counter's keys from its key index once it was scraped", async () => {
      const registry = new m.prom.Registry();
      const counter = new m.prom.Counter({
        name: 'tenants_total',
        help: 'h',
        labelNames: ['tenant'],
        registers: [registry],
      });
      for (let i = 0; i < 2100; i++) counter.inc({ tenant: `t${i}` });
      await m.exposition.render(registry, 'text');
      counter.inc({ tenant: 'new' });
      counter.remove({ tenant: 't5' });
      const keys = vi.spyOn(Object, 'keys');
      let body: string;
      try {
        body = (await m.exposition.render(registry, 'text')).body;
        expect(
          keys.mock.calls.some(([target]) => Object.values(target as object).length > 2000),
        ).toBe(false);
      } finally {
        keys.mockRestore();
      }
      expect(body).toBe((await m.exposition.renderGeneric(registry, 'text')).body);
      expect(body).toContain('tenants_total{tenant="new"} 1\n');
      expect(body).not.toContain('tenant="t5"');
    });
  });
});
