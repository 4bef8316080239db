// The profile summary of the report's tracing section: self time by frame and package, idle
// samples and the warm-up left out.
import { describe, expect, it } from 'vitest';
import { compareRows, packageOf, selfTimes, type CpuProfile } from '../src/cpu-profile.js';

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
});
