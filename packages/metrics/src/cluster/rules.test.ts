import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CONTRACT, RUNTIME_AGGREGATION } from '../contract.js';
import { collectRuntimeMetrics } from '../runtime.js';
import { carriesOver, ruleOf } from './rules.js';

describe('aggregation rules', () => {
  it('every gauge of the contract declares how it combines over workers', () => {
    const gauges = CONTRACT.filter((def) => def.type === 'gauge');
    expect(gauges.filter((def) => def.aggregation === undefined).map((def) => def.name)).toEqual(
      [],
    );
    expect(CONTRACT.filter((def) => def.type !== 'gauge' && def.aggregation !== undefined)).toEqual(
      [],
    );
  });

  it("covers prom-client's process metrics by name, and names only metrics it has", async () => {
    const registry = new Registry();
    collectRuntimeMetrics(registry, 'svc');
    const names = (await registry.getMetricsAsJSON()).map((m) => m.name);
    expect(Object.keys(RUNTIME_AGGREGATION).filter((name) => !names.includes(name))).toEqual([]);
    expect(
      names.filter((name) => name.startsWith('process_') && !(name in RUNTIME_AGGREGATION)),
    ).toEqual([]);
  });

  it('takes the override, then the contract, then the runtime table, then prom-client’s aggregator', () => {
    expect(ruleOf('business_active_users', 'gauge', 'sum', {})).toBe('max');
    expect(ruleOf('business_active_users', 'gauge', 'sum', { business_active_users: 'min' })).toBe(
      'min',
    );
    expect(ruleOf('nodejs_eventloop_lag_p99_seconds', 'gauge', 'average', {})).toBe('max');
    expect(ruleOf('app_gauge', 'gauge', 'first', {})).toBe('first');
    expect(ruleOf('app_gauge', 'gauge', undefined, {})).toBe('sum');
    // Buckets only add up.
    expect(ruleOf('app_seconds', 'histogram', 'max', {})).toBe('sum');
  });

  it('carries counters and histograms over, gauges never; a thread’s process figures neither', () => {
    expect(carriesOver('counter', 'sum', true)).toBe(true);
    expect(carriesOver('histogram', 'worker', true)).toBe(true);
    expect(carriesOver('gauge', 'sum', true)).toBe(false);
    expect(carriesOver('counter', 'process', false)).toBe(false);
    expect(carriesOver('counter', 'max', true)).toBe(false);
  });
});
