// Spend from a user-given price catalog, in exact integer arithmetic: prices become integer
// billionths of the currency per million tokens, a call's cost is a BigInt sum, and only the
// final amount becomes a float. A model without a price is unpriced, never guessed.
import { invalid, requireName } from '../validate.js';
import type { GenAiUsage, ModelPrice, PriceCatalog } from './types.js';
import type { UNPRICED_REASONS } from './contract.js';

const WHERE = 'setPrices';
const SCALE = 1_000_000_000; // price units per currency unit
const DIVISOR = 1e15; // SCALE x one million tokens
const CURRENCY = /^[A-Z]{3}$/;
const KINDS = ['input', 'output', 'cacheRead', 'cacheWrite'] as const;
type Kind = (typeof KINDS)[number];

export type UnpricedReason = (typeof UNPRICED_REASONS)[number];

/** A priced call: the exact sum, made a float once. */
export interface Cost {
  readonly amount: number;
  readonly currency: string;
  readonly version: string;
}

type Priced = Readonly<Record<'input' | 'output', bigint> & Partial<Record<Kind, bigint>>>;

function price(field: string, value: unknown, required: boolean): bigint | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalid(WHERE, field, value, 'a price per million tokens, a finite number >= 0');
  }
  const scaled = Math.round(value * SCALE);
  // At most nine decimals, so the scaled integer is the price itself and sums stay exact.
  if (!Number.isSafeInteger(scaled) || Number(value.toFixed(9)) !== value) {
    throw invalid(WHERE, field, value, 'a price with at most 9 decimals, below 9e6');
  }
  return BigInt(scaled);
}

function entry(raw: unknown, i: number): [string, Priced] {
  const at = `models[${i}]`;
  if (typeof raw !== 'object' || raw === null) throw invalid(WHERE, at, raw, 'an object');
  const m = raw as Partial<ModelPrice>;
  const provider = requireName(WHERE, `${at}.provider`, m.provider);
  const model = requireName(WHERE, `${at}.model`, m.model);
  const priced: Record<string, bigint> = {};
  for (const kind of KINDS) {
    const p = price(`${at}.${kind}`, m[kind], kind === 'input' || kind === 'output');
    if (p !== undefined) priced[kind] = p;
  }
  return [`${provider}\u0000${model}`, priced as Priced];
}

/** A validated catalog: what prices a call. */
export class PriceBook {
  readonly currency: string;
  readonly version: string;
  readonly #models: ReadonlyMap<string, Priced>;

  constructor(catalog: unknown) {
    if (typeof catalog !== 'object' || catalog === null) {
      throw invalid(WHERE, 'catalog', catalog, 'an object { currency, version, models }');
    }
    const c = catalog as Partial<PriceCatalog>;
    if (typeof c.currency !== 'string' || !CURRENCY.test(c.currency)) {
      throw invalid(WHERE, 'currency', c.currency, 'an ISO 4217 code such as "USD"');
    }
    this.currency = c.currency;
    this.version = requireName(WHERE, 'version', c.version);
    if (!Array.isArray(c.models)) throw invalid(WHERE, 'models', c.models, 'an array');
    const models = new Map<string, Priced>();
    c.models.forEach((raw: unknown, i) => {
      const [key, priced] = entry(raw, i);
      if (models.has(key)) {
        throw invalid(
          WHERE,
          `models[${i}]`,
          key.replace('\u0000', '/'),
          'a provider/model given once',
        );
      }
      models.set(key, priced);
    });
    this.#models = models;
  }

  /**
   * The cost of `usage` for the first of `models` the catalog prices (the response model, then
   * the requested one), or why it cannot be priced.
   */
  cost(
    provider: string,
    models: readonly (string | undefined)[],
    usage: GenAiUsage,
  ): Cost | UnpricedReason {
    let priced: Priced | undefined;
    for (const model of models) {
      if (model !== undefined) priced ??= this.#models.get(`${provider}\u0000${model}`);
    }
    if (!priced) return 'unknown_model';
    const cacheRead = usage.cacheRead ?? 0;
    const cacheWrite = usage.cacheWrite ?? 0;
    if (
      (cacheRead > 0 && priced.cacheRead === undefined) ||
      (cacheWrite > 0 && priced.cacheWrite === undefined)
    ) {
      return 'missing_price';
    }
    const uncached = (usage.input ?? 0) - cacheRead - cacheWrite;
    if (uncached < 0) return 'invalid_usage';
    const total =
      BigInt(uncached) * priced.input +
      BigInt(usage.output ?? 0) * priced.output +
      BigInt(cacheRead) * (priced.cacheRead ?? 0n) +
      BigInt(cacheWrite) * (priced.cacheWrite ?? 0n);
    return { amount: Number(total) / DIVISOR, currency: this.currency, version: this.version };
  }
}
