// Redaction: masks secrets and personal data in the text a span carries, before export.
import type { AttributeValue, Attributes } from '@opentelemetry/api';
import type { RE2JS } from 're2js';
import { nameWords, SecretNames } from './redact-names.js';
import { TEXT_RULES } from './redact-rules.js';
import { KeyMemo, type KeyFacts } from './redact-keys.js';
import { flagValueHits } from './redact-kv.js';
import { applyRules, replaceHits, truncate } from './redact-scan.js';
import type { RedactOptions } from './types.js';
import { compileUserPattern, replaceUserPattern } from './user-patterns.js';

const DEFAULT_REPLACEMENT = '[REDACTED]';
/** Longest text scanned; past it a value is cut (see `truncate`). */
export const DEFAULT_MAX_LENGTH = 16_384;
// Shorter text cannot hold a secret the built-in rules know (`pass=x` and `a@b.co` have six).
const MIN_SECRET_LENGTH = 6;
// Span text repeats (hosts, user agents, routes): what is known about each of up to this many
// attribute keys is remembered (see KeyMemo).
const KEY_LIMIT = 4096;
// One attribute set (a span's, an event's, a link's) is scanned up to this many times
// `maxLength` characters in all, and all the sets of one span up to SPAN_BUDGET times; past it,
// their strings are cut (span.end() runs the scan).
const SET_BUDGET = 16;
const SPAN_BUDGET = 64;
// `--password` in `process.command_args`: the next item is its value.
const FLAG = /^--?[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
// A header name in `rawHeaders` (`X-Api-Key`): the next item is its value.
const HEADER_NAME = /^[A-Za-z][A-Za-z0-9-]{0,63}$/;
// An argument list read as a command line (see `argv`): at most this many items this long.
const ARGV_ITEMS = 256;
const ARGV_ITEM_LENGTH = 1024;
// Card numbers have 13 digits or more; a number below this is none.
const CARD_DIGITS_MIN = 1e12;

/** Characters left to scan. */
export interface ScanBudget {
  left: number;
}

/**
 * Whether `values` reads as Node's `rawHeaders`: name and value pairs, every name a header name
 * (an argument list, `['node', 'app.js', '--x']`, is none).
 */
function isRawHeaders(values: readonly unknown[]): boolean {
  if (values.length < 2 || values.length % 2 !== 0) return false;
  for (let i = 0; i < values.length; i += 2) {
    const name = values[i];
    if (typeof name !== 'string' || !HEADER_NAME.test(name)) return false;
  }
  return true;
}

/** The item that ends an array cut short. */
function cutItems(count: number): string {
  return `[TRUNCATED ${count} items]`;
}

/**
 * Masks secrets and personal data in attribute keys and values and in free text;
 * `TracingService` uses one by default.
 *
 * @example
 * new Redactor({ keys: ['ssn'] }).attributes({ 'person.ssn': '078-05-1120' }); // { 'person.ssn': '[REDACTED]' }
 */
export class Redactor {
  private readonly names: SecretNames;
  private readonly patterns: RE2JS[];
  private readonly replacement: string;
  private readonly maxLength: number;
  private readonly keys = new KeyMemo(KEY_LIMIT, (key) => ({
    secret: this.isSecretKey(key),
    maskedKey: this.string(key),
  }));

  constructor(options: RedactOptions = {}) {
    this.replacement = options.replacement ?? DEFAULT_REPLACEMENT;
    this.maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
    const words: string[][] = [];
    const keyPatterns: RE2JS[] = [];
    (options.keys ?? []).forEach((key, i) => {
      if (typeof key === 'string') words.push(nameWords(key));
      else keyPatterns.push(compileUserPattern(key, `redact.keys[${i}]`));
    });
    this.names = new SecretNames({ words, patterns: keyPatterns });
    this.patterns = (options.patterns ?? []).map((p, i) =>
      compileUserPattern(p, `redact.patterns[${i}]`),
    );
  }

  private readonly mask = (text: string): string => this.string(text);

  /** Whether the whole value of `key` is a secret. */
  isSecretKey(key: string): boolean {
    return this.names.isSecretKey(key);
  }

  /** `text` with secrets inside it masked, cut to `maxLength` characters. */
  string(text: string): string {
    return this.scan(text, this.maxLength);
  }

  /** `text` with secrets inside it masked, cut to `limit` characters. */
  private scan(text: string, limit: number): string {
    if (text.length < MIN_SECRET_LENGTH && this.patterns.length === 0) return text;
    const bounded = text.length > limit ? truncate(text, limit) : text;
    let out = applyRules(TEXT_RULES, bounded, this.replacement, this.names);
    for (const pattern of this.patterns) {
      out = replaceUserPattern(out, pattern, this.replacement);
    }
    return out;
  }

  private value(
    key: KeyFacts,
    value: AttributeValue | undefined,
    budget: ScanBudget,
  ): AttributeValue | undefined {
    if (value === undefined || value === null) return value;
    if (key.secret) return Array.isArray(value) ? this.secretArray(value) : this.replacement;
    if (typeof value === 'string') {
      // the common case: the whole text fits, and its answer may be remembered
      if (value.length <= budget.left || budget.left >= this.maxLength) {
        budget.left -= Math.min(value.length, this.maxLength);
        return KeyMemo.value(key, value, this.mask);
      }
      return this.within(value, budget);
    }
    if (typeof value === 'number') return this.number(value);
    if (Array.isArray(value)) {
      // an array's strings share one value's budget: a 1 MB array is cut, not scanned item by item
      const own = { left: Math.min(this.maxLength, budget.left) };
      const start = own.left;
      const masked = this.array(value as unknown[], own);
      budget.left -= start - own.left;
      return masked;
    }
    return value;
  }

  /** `text` masked and cut to the characters left in `budget`, which it uses up. */
  private within(text: string, budget: ScanBudget): string {
    const limit = Math.max(0, Math.min(this.maxLength, budget.left));
    budget.left -= Math.min(text.length, limit);
    return this.scan(text, limit);
  }

  /** An array of a secret key: every item masked, as many as `maxLength` characters hold. */
  private secretArray(values: readonly unknown[]): AttributeValue {
    const kept = Math.max(1, Math.floor(this.maxLength / Math.max(1, this.replacement.length)));
    const out = values.slice(0, kept).map(() => this.replacement);
    if (values.length > kept) out.push(cutItems(values.length - kept));
    return out;
  }

  /** A number that is a card number (`order.pan: 4111111111111111`) masked; others as they are. */
  private number(value: number): AttributeValue {
    if (!Number.isSafeInteger(value) || value < CARD_DIGITS_MIN) return value;
    const text = String(value);
    return this.scan(text, this.maxLength) === text ? value : this.replacement;
  }

  /**
   * Whether the item before `i` names a secret in a list of name and value pairs: a command-line
   * flag (`--password`), or a header name in Node's `rawHeaders` (`['X-Api-Key', '…']`).
   */
  private isSecretName(values: readonly unknown[], i: number, headers: boolean): boolean {
    const before = values[i - 1];
    if (i === 0 || typeof before !== 'string') return false;
    // a flag after a flag is no value (`--no-password --host db`)
    if (this.isSecretFlag(before)) return (values[i] as string).charAt(0) !== '-';
    return headers && i % 2 === 1 && this.names.isSecretKey(before);
  }

  /**
   * An argument list (`process.command_args`, a spawned command) read as one command line, so the
   * flags of the tools it names find their values in the next items (`['mysql', '-pS3cret']`,
   * `['redis-cli', '-a', 'S3cret']`, `['curl', '-u', 'admin:S3cret']`): a copy with those parts
   * masked, or undefined. Up to ARGV_ITEMS short items, with at least one flag among them.
   */
  private argv(values: readonly unknown[]): unknown[] | undefined {
    if (values.length < 2 || values.length > ARGV_ITEMS) return undefined;
    let flags = false;
    for (const value of values) {
      if (typeof value !== 'string' || value.length > ARGV_ITEM_LENGTH) return undefined;
      if (value.charAt(0) === '-') flags = true;
    }
    if (!flags) return undefined;
    const items = values as readonly string[];
    const line = items.join(' ');
    const hits = flagValueHits(line, this.names);
    if (hits.length === 0) return undefined;
    const out = [...items];
    let start = 0;
    items.forEach((item, i) => {
      const end = start + item.length;
      const parts = hits
        .filter((hit) => hit.from < end && hit.to > start)
        .map((hit) => ({
          from: Math.max(hit.from, start) - start,
          to: Math.min(hit.to, end) - start,
        }));
      if (parts.length > 0) out[i] = replaceHits(item, parts, this.replacement);
      start = end + 1;
    });
    return out;
  }

  /** Whether `item` is a command-line flag whose value is a secret (`--password`). */
  private isSecretFlag(item: unknown): boolean {
    if (typeof item !== 'string' || item.length > 66 || !FLAG.test(item)) return false;
    return this.names.isSecretParam(item.replace(/^-+/, ''));
  }

  /**
   * The array with its strings masked, cut with a marker item once they used up `budget`; the
   * same array when nothing changed.
   */
  private array(values: unknown[], budget: ScanBudget): AttributeValue {
    let out: unknown[] | undefined = this.argv(values);
    const headers = isRawHeaders(values);
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (typeof value === 'number') {
        const masked = this.number(value);
        if (masked !== value) (out ??= [...values])[i] = masked;
        continue;
      }
      if (typeof value !== 'string') continue;
      if (budget.left <= 0) {
        const kept = (out ?? values).slice(0, i);
        kept.push(cutItems(values.length - i));
        return kept as AttributeValue;
      }
      const flagged = this.isSecretName(values, i, headers);
      if (flagged) budget.left -= value.length;
      const current = (out?.[i] ?? value) as string;
      const masked = flagged ? this.replacement : this.within(current, budget);
      if (masked === value) continue;
      out ??= [...values];
      out[i] = masked;
    }
    return (out ?? values) as AttributeValue;
  }

  /**
   * A copy of `attributes` with secrets in keys and values masked; the same object when nothing
   * changed. `span` is the budget that all the attribute sets of one span share (`spanBudget()`).
   */
  attributes(attributes: Attributes, span?: ScanBudget): Attributes {
    const budget = { left: Math.min(SET_BUDGET * this.maxLength, span?.left ?? Infinity) };
    const start = budget.left;
    const out = this.attributesWithin(attributes, budget);
    if (span !== undefined) span.left -= start - budget.left;
    return out;
  }

  /** A new budget of characters for the attribute sets of one span. */
  spanBudget(): ScanBudget {
    return { left: SPAN_BUDGET * this.maxLength };
  }

  private attributesWithin(attributes: Attributes, budget: ScanBudget): Attributes {
    let out: Attributes | undefined;
    for (const key of Object.keys(attributes)) {
      const value = attributes[key];
      const facts = this.keys.of(key);
      const masked = this.value(facts, value, budget);
      const { maskedKey } = facts;
      if (masked === value && maskedKey === key) continue;
      out ??= { ...attributes };
      if (maskedKey !== key) delete out[key];
      out[maskedKey] = masked;
    }
    return out ?? attributes;
  }
}
