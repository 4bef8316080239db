import { describe, expect, it } from 'vitest';
import { createHasher } from './hash.js';
import { HyperLogLog } from './hll.js';

describe('HyperLogLog', () => {
  const hash = createHasher('test-salt');

  it('is exact-ish for small sets and 0 for none', () => {
    const sketch = new HyperLogLog();
    expect(sketch.count()).toBe(0);
    sketch.add(hash('a'));
    sketch.add(hash('a'));
    expect(sketch.count()).toBe(1);
    for (let i = 0; i < 1000; i++) sketch.add(hash(`u${i}`));
    expect(Math.abs(sketch.count() - 1001) / 1001).toBeLessThan(0.02);
  });

  it('merges into the union and hashes non-hex elements itself', () => {
    const a = new HyperLogLog();
    const b = new HyperLogLog();
    for (let i = 0; i < 5000; i++) a.add(`plain-${i}`);
    for (let i = 2500; i < 7500; i++) b.add(`plain-${i}`);
    const union = HyperLogLog.union([a, b]).count();
    expect(Math.abs(union - 7500) / 7500).toBeLessThan(0.02);
    expect(Math.abs(a.count() - 5000) / 5000).toBeLessThan(0.02);
  });

  it('keeps a sketch at 16 KiB', () => {
    expect(new HyperLogLog().registers.byteLength).toBe(16 * 1024);
  });
});
