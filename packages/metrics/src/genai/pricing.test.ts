// The price catalog: checked field by field, exact to the last digit, never guessing a price.
import { describe, expect, it } from 'vitest';
import { PriceBook } from './pricing.js';

const catalog = {
  currency: 'USD',
  version: '2026-11-01',
  models: [
    { provider: 'openai', model: 'cheap', input: 0.1, output: 0.2 },
    {
      provider: 'anthropic',
      model: 'cached',
      input: 3,
      output: 15,
      cacheRead: 0.3,
      cacheWrite: 3.75,
    },
  ],
};

describe('PriceBook', () => {
  it('prices with exact decimal arithmetic: 0.1 + 0.2 is 0.3', () => {
    const book = new PriceBook(catalog);
    expect(book.cost('openai', ['cheap'], { input: 1_000_000, output: 1_000_000 })).toEqual({
      amount: 0.3,
      currency: 'USD',
      version: '2026-11-01',
    });
  });

  it('bills uncached input, cache reads, cache writes and output (reasoning included) at their own prices', () => {
    const book = new PriceBook(catalog);
    // 1000 uncached x 3 + 2000 reads x 0.3 + 400 writes x 3.75 + 500 output x 15, per million.
    const cost = book.cost('anthropic', ['cached'], {
      input: 3400,
      cacheRead: 2000,
      cacheWrite: 400,
      output: 500,
      reasoning: 200,
    });
    expect(cost).toMatchObject({ amount: 0.0126 });
  });

  it('looks up the response model first, then the requested one; anything else is unpriced', () => {
    const book = new PriceBook(catalog);
    expect(book.cost('openai', ['cheap-2026-01-01', 'cheap'], { input: 10 })).toMatchObject({
      amount: 0.000001,
    });
    expect(book.cost('openai', ['cached'], { input: 10 })).toBe('unknown_model');
    expect(book.cost('openai', ['cheap'], { input: 10, cacheRead: 5 })).toBe('missing_price');
    expect(book.cost('anthropic', ['cached'], { input: 1, cacheRead: 5 })).toBe('invalid_usage');
  });

  it.each([
    [
      { ...catalog, currency: 'usd' },
      'setPrices: currency must be an ISO 4217 code such as "USD", got "usd"',
    ],
    [
      { ...catalog, version: ' ' },
      'setPrices: version must be a string with at least one non-whitespace character, got " "',
    ],
    [{ ...catalog, models: {} }, 'setPrices: models must be an array, got an object'],
    [
      { ...catalog, models: [{ provider: 'openai', model: 'x', input: 1 }] },
      'setPrices: models[0].output must be a price per million tokens, a finite number >= 0, got undefined',
    ],
    [
      { ...catalog, models: [{ provider: 'openai', model: 'x', input: 1 / 3, output: 1 }] },
      'setPrices: models[0].input must be a price with at most 9 decimals, below 9e6, got 0.3333333333333333',
    ],
    [
      {
        ...catalog,
        models: [{ provider: 'openai', model: 'x', input: 1, output: 1, cacheRead: -1 }],
      },
      'setPrices: models[0].cacheRead must be a price per million tokens, a finite number >= 0, got -1',
    ],
    [
      { ...catalog, models: [catalog.models[0], catalog.models[0]] },
      'setPrices: models[1] must be a provider/model given once, got "openai/cheap"',
    ],
    [
      { ...catalog, models: [{ provider: '', model: 'x', input: 1, output: 1 }] },
      'setPrices: models[0].provider must be a string with at least one non-whitespace character, got ""',
    ],
  ])('refuses %j', (bad, message) => {
    expect(() => new PriceBook(bad)).toThrow(new TypeError(message));
  });
});
