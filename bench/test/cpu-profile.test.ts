// The profile summary of the report's tracing section: self time by frame and package, idle
// samples and the warm-up left out.
import { describe, expect, it } from 'vitest';
import {
  compareRows,
  packageOf,
  perRequest,
  selfTimes,
  type CpuProfile,
} from '../src/cpu-profile.js';

const PNPM = '/repo/node_modules/.pnpm';

describe('cpu profile summary', () => {
  it('names packages of pnpm paths, ours, Node and V8', () => {
    expect(
      packageOf(`file://${PNPM}/@opentelemetry+sdk-trace@2.12.0_x/node_modules/a/Tracer.js`),
    ).toBe('@opentelemetry/sdk-trace');
    expect(packageOf(`file://${PNPM}/koa@3.3.0/node_modules/koa/lib/application.js`)).toBe('koa');
    expect(packageOf('file:///repo/packages/tracing/dist/index.cjs')).toBe(
      '@ai-orchestrator/tracing',
    );
    expect(packageOf('node:_http_server')).toBe('node');
    expect(packageOf('')).toBe('(native)');
  });

  it('counts busy samples after the skipped seconds, by frame and by package', () => {
    const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });
    const profile: CpuProfile = {
      startTime: 0,
      endTime: 1_014_000,
      nodes: [
        { id: 1, callFrame: frame('(idle)', '') },
        { id: 2, callFrame: frame('startSpan', `${PNPM}/@opentelemetry+sdk-trace@2/x/Tracer.js`) },
        { id: 3, callFrame: frame('encode', '/repo/packages/tracing/dist/index.cjs') },
      ],
      // 1 s of start-up (skipped), then 3 ms of startSpan, 1 ms of encode and idle time
      samples: [2, 2, 2, 3, 1, 1],
      timeDeltas: [1_000_000, 1000, 2000, 1000, 5000, 5000],
    };
    const { frames, packages } = selfTimes(profile, 1);
    expect(packages.get('@opentelemetry/sdk-trace')).toBeCloseTo(0.75);
    expect(packages.get('@ai-orchestrator/tracing')).toBeCloseTo(0.25);
    expect(frames.get('@ai-orchestrator/tracing · encode (index.cjs)')).toBeCloseTo(0.25);
    expect(compareRows(['a', 'b'], new Map([['a', 0.1]]), new Map([['b', 0.5]]), 1)).toEqual([
      '| b | 0.0 | 50.0 |',
    ]);
  });

  it('gives each request the CPU of the package nearest the running frame, in the load window', () => {
    const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });
    const koa = `file://${PNPM}/koa@3.3.0/node_modules/koa/lib/application.js`;
    const ours = 'file:///repo/packages/metrics/dist/index.cjs';
    const profile: CpuProfile = {
      startTime: 0,
      endTime: 3_000_000,
      nodes: [
        { id: 1, callFrame: frame('(root)', ''), children: [2, 6, 7] },
        { id: 2, callFrame: frame('respond', koa), children: [3, 4] },
        { id: 3, callFrame: frame('writev', '') },
        { id: 4, callFrame: frame('record', ours), children: [5] },
        { id: 5, callFrame: frame('emit', 'node:events') },
        { id: 6, callFrame: frame('(garbage collector)', '') },
        { id: 7, callFrame: frame('(idle)', '') },
      ],
      // 1 s before the load's window (not counted), then in it: Node's writev called by koa
      // (4 ms), Node's emit called by our recorder (1 ms), a collection (1 ms) and idle time
      samples: [3, 7, 3, 5, 3, 6],
      timeDeltas: [1_000_000, 1_000_000, 1000, 1000, 3000, 1000],
    };
    // a 2 s load that served 2000 requests: its last 1.5 s before the server stopped is the window
    const { busy, packages } = perRequest(profile, 2000, 2);
    const served = 1500;
    expect(busy).toBeCloseTo(6000 / served);
    expect(packages.get('koa')).toBeCloseTo(4000 / served);
    expect(packages.get('@ai-orchestrator/metrics')).toBeCloseTo(1000 / served);
    expect(packages.get('(garbage collector)')).toBeCloseTo(1000 / served);
    expect(packages.has('node')).toBe(false);
  });
});
