import fc from 'fast-check';
import type { Histogram } from 'prom-client';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { PROM_CLIENTS, withPromClient } from '../../test/prom-versions.js';

const load = async () => ({
  prom: await import('prom-client'),
  probe: await import('./probe.js'),
  writes: await import('./writes.js'),
  exposition: await import('../exposition.js'),
});

// More series than the index starts from (INDEXED_FROM in ./probe.ts).
const LARGE = 2100;

type Map = Record<string, unknown>;
const mapOf = (histogram: Histogram): Map => (histogram as unknown as { hashMap: Map }).hashMap;

describe.each(PROM_CLIENTS)('the key index on prom-client $version', (client) => {
  let m: Awaited<ReturnType<typeof load>>;
  beforeAll(async () => {
    m = await withPromClient(client, load);
  });

  function large(series = LARGE) {
    const registry = new m.prom.Registry();
    const histogram = new m.prom.Histogram({
      name: 'large_seconds',
      help: 'h',
      labelNames: ['route', 'code'],
      buckets: [0.1, 1],
      registers: [registry],
    });
    for (let i = 0; i < series; i++) histogram.observe({ route: `/r/${i}`, code: '200' }, 0.5);
    const view = m.probe.plainHistogram(histogram);
    if (view === undefined) throw new Error('prom-client Histogram has no fast path');
    return { registry, histogram, view };
  }

  /** Writes a series the way the recorders do: ./writes.ts, not prom-client's observe(). */
  function writeOurs(histogram: Histogram, labels: Record<string, string>, value: number): void {
    const names = ['code', 'route'];
    const writer = m.writes.histogramSeries(histogram);
    if (writer === undefined) throw new Error('no writer');
    const promHash = m.probe.promHash(labels, names);
    writer.observe(
      { labels, hash: m.writes.seriesHash(labels, names), promHash },
      value,
      undefined,
    );
  }

  it('reads a large map once, then keeps its keys without reading the map again', () => {
    const { histogram, view } = large();
    expect(view.slowKeys).toBe(true);
    expect(view.keys()).toEqual(Object.keys(mapOf(histogram)));
    expect(view.slowKeys).toBe(false);

    histogram.observe({ route: '/new', code: '500' }, 2); // prom-client's public API
    histogram.zero({ route: '/zeroed', code: '404' });
    writeOurs(histogram, { route: '/ours', code: '201' }, 0.05); // our writers
    histogram.observe({ route: '/r/7', code: '200' }, 0.01); // an existing series
    const keys = vi.spyOn(Object, 'keys');
    try {
      const read = view.keys();
      expect(keys).not.toHaveBeenCalled();
      keys.mockRestore();
      expect(read).toEqual(Object.keys(mapOf(histogram)));
      expect(read.slice(-3)).toEqual([
        'code:500,route:/new,',
        'code:404,route:/zeroed,',
        'code:201,route:/ours,',
      ]);
    } finally {
      keys.mockRestore();
    }
  });

  it('leaves small maps alone', () => {
    const { histogram, view } = large(50);
    view.keys();
    expect(Object.getPrototypeOf(mapOf(histogram))).toBe(Object.prototype);
    expect(view.slowKeys).toBe(false);
  });

  it('drops removed series when a scrape finds them gone, and lists a series added again last', () => {
    const { histogram, view } = large();
    view.keys();
    histogram.remove({ route: '/r/3', code: '200' });
    histogram.remove({ route: '/r/4', code: '200' });
    histogram.observe({ route: '/r/4', code: '200' }, 1); // added again: last, as Object.keys has it
    const read = view.keys();
    expect(read).toHaveLength(LARGE); // /r/3 still listed until looked up
    expect(read.map((key) => view.entry(key)).filter((entry) => entry === undefined)).toHaveLength(
      1,
    );
    expect(view.keys()).toEqual(Object.keys(mapOf(histogram)));
    expect(view.keys().at(-1)).toBe('code:200,route:/r/4,');
  });

  it('follows reset(), which gives the histogram a new map', () => {
    const { histogram, view } = large();
    view.keys();
    histogram.reset();
    expect(view.keys()).toEqual([]);
    for (let i = 0; i < LARGE + 5; i++) histogram.observe({ route: `/s/${i}`, code: '200' }, 1);
    expect(view.keys()).toEqual(Object.keys(mapOf(histogram)));
    expect(view.slowKeys).toBe(false); // the new map is indexed in turn
    histogram.observe({ route: '/later', code: '200' }, 1);
    expect(view.keys()).toEqual(Object.keys(mapOf(histogram)));
  });

  it('stands down for keys it cannot keep in order, and the map reads as before', () => {
    const { histogram, view } = large();
    view.keys();
    const map = mapOf(histogram);
    map['42'] = map['code:200,route:/r/1,']; // an array index: Object.keys lists it first
    expect(view.slowKeys).toBe(true);
    expect(view.keys()).toEqual(Object.keys(map));
    expect(view.keys()[0]).toBe('42');
    // the trap is gone from the map: nothing is noted for an index nobody reads
    expect(Object.getPrototypeOf(map)).toBe(Object.prototype);

    const other = large();
    other.view.keys();
    const otherMap = mapOf(other.histogram);
    Object.setPrototypeOf(otherMap, Object.prototype); // someone replaced the prototype
    other.histogram.observe({ route: '/unseen', code: '200' }, 1);
    expect(other.view.keys()).toEqual(Object.keys(otherMap));
    expect(other.view.keys()).toContain('code:200,route:/unseen,');
  });

  it('keeps assignments of what Object.prototype has as they were', () => {
    const { histogram, view } = large();
    view.keys();
    const map = mapOf(histogram);
    map.toString = () => 'own';
    expect(Object.hasOwn(map, 'toString')).toBe(true);
    expect(String(map)).toBe('own');
    expect(view.keys()).toEqual(Object.keys(map));
  });

  it('renders what the generic path renders, whatever the histogram went through', async () => {
    const step = fc.oneof(
      fc.record({
        op: fc.constant('observe' as const),
        i: fc.nat(LARGE + 40),
        v: fc.double({ min: 0, max: 3, noNaN: true }),
      }),
      fc.record({
        op: fc.constant('ours' as const),
        i: fc.nat(LARGE + 40),
        v: fc.double({ min: 0, max: 3, noNaN: true }),
      }),
      fc.record({ op: fc.constant('remove' as const), i: fc.nat(LARGE + 40) }),
      fc.record({ op: fc.constant('zero' as const), i: fc.nat(LARGE + 40) }),
      fc.record({ op: fc.constant('scrape' as const) }),
    );
    const { registry, histogram } = large();
    await m.exposition.render(registry, 'text'); // indexes the map
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 20 }), async (steps) => {
        for (const s of steps) {
          const labels = 'i' in s ? { route: `/r/${s.i}`, code: '200' } : undefined;
          if (s.op === 'observe') histogram.observe(labels as Record<string, string>, s.v);
          else if (s.op === 'ours') writeOurs(histogram, labels as Record<string, string>, s.v);
          else if (s.op === 'remove') histogram.remove(labels as Record<string, string>);
          else if (s.op === 'zero') histogram.zero(labels as Record<string, string>);
          else await m.exposition.render(registry, 'text');
        }
        const fast = await m.exposition.render(registry, 'text');
        expect(fast.body).toBe((await m.exposition.renderGeneric(registry, 'text')).body);
      }),
      { numRuns: 12 },
    );
  });
});
