import { describe, expect, it } from 'vitest';
import { SETTLE_BUSY_MS } from '../src/configs.js';
import { rotated, settle } from '../src/throughput.js';

describe('rotated', () => {
  it('moves each round by one place, so every setup takes every place', () => {
    const setups = ['bare', 'ours', 'peer'];
    const rounds = [0, 1, 2, 3].map((r) => rotated(setups, r));
    expect(rounds).toEqual([
      ['bare', 'ours', 'peer'],
      ['ours', 'peer', 'bare'],
      ['peer', 'bare', 'ours'],
      ['bare', 'ours', 'peer'],
    ]);
    expect(rotated([], 3)).toEqual([]);
    expect(rotated(setups, -1)).toEqual(['peer', 'bare', 'ours']);
  });
});

describe('settle', () => {
  /** CPU readings of two servers: the second burns `busyFor` more steps, then idles. */
  const servers = (busyFor: number) => {
    let idle = 0;
    let busy = 0;
    let reads = 0;
    return {
      read: async () => {
        reads += 1;
        idle += 100; // an idle server's own bookkeeping
        if (reads <= busyFor) busy += SETTLE_BUSY_MS * 1000 + 1;
        return [idle, busy];
      },
      reads: () => reads,
    };
  };

  it('returns once a whole step saw every server idle', async () => {
    const busy = servers(3);
    expect(await settle(busy.read, 1, 5_000)).toBe(true);
    // the first reading, two more while it still burns CPU, then one whole step without
    expect(busy.reads()).toBe(4);
    const idle = servers(0);
    expect(await settle(idle.read, 1, 5_000)).toBe(true);
    expect(idle.reads()).toBe(2);
  });

  it('gives up after its limit when a server never idles, and says so', async () => {
    const never = servers(Number.POSITIVE_INFINITY);
    expect(await settle(never.read, 1, 30)).toBe(false);
    expect(never.reads()).toBeGreaterThan(2);
  });
});
