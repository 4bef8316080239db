import { describe, expect, it } from 'vitest';
import { serverFlags } from '../src/run.js';

describe('serverFlags', () => {
  it('splits Node.js options on whitespace', () => {
    expect(serverFlags(' --no-memory-reducer  --max-semi-space-size=16 ')).toEqual([
      '--no-memory-reducer',
      '--max-semi-space-size=16',
    ]);
  });

  it.each([
    ['app.js', '"app.js"'],
    ['--no-memory-reducer app.js', '"app.js"'],
    ['-e', '"-e"'],
    ['--', '"--"'],
    ['   ', '"   "'],
  ])('refuses %j, naming the word it cannot take', (raw, named) => {
    expect(() => serverFlags(raw)).toThrow(
      `bench: --server-flags takes Node.js options such as "--no-memory-reducer", got ${named}`,
    );
  });
});
