// The instruction count's arithmetic: cachegrind's total, and the steady state between two runs.
import { describe, expect, it } from 'vitest';
import { cachegrindTotal, instructionsPerRequest } from '../src/instructions.js';

describe('instruction counts', () => {
  it("reads cachegrind's total from its output file", () => {
    const text = [
      'desc: I1 cache: 32768 B, 64 B, 8-way associative',
      'cmd: /usr/bin/node --single-threaded dist/server.js',
      'events: Ir',
      'fl=???',
      'fn=0x0000000000a1b2c3',
      '0 12',
      'summary: 5553154393',
      '',
    ].join('\n');
    expect(cachegrindTotal(text)).toBe(5553154393);
  });

  it('names what is missing when the output has no total', () => {
    expect(() => cachegrindTotal('events: Ir\n')).toThrow(/no "summary:" line/);
  });

  it('divides the difference of two runs by the requests between them', () => {
    const perRequest = instructionsPerRequest(
      { requests: 3000, instructions: 2_933_456_587 },
      { requests: 15000, instructions: 2_933_456_587 + 12000 * 65_200 },
    );
    expect(perRequest).toBe(65_200);
  });

  it('refuses a longer run that is not longer, naming both counts', () => {
    expect(() =>
      instructionsPerRequest(
        { requests: 3000, instructions: 1 },
        { requests: 3000, instructions: 2 },
      ),
    ).toThrow('--to (3000) must be larger than --from (3000)');
  });
});
