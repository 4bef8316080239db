import { describe, expect, it } from 'vitest';
import { rotated } from '../src/throughput.js';

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
