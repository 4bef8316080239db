// Redaction: masks secrets and personal data in the text a span carries, before export.
import type { AttributeValue, Attributes } from '@opentelemetry/api';
import type { RE2JS } from 're2js';
import { nameWords, SecretNames } from './redact-names.js';
import { TEXT_RULES } from './redact-rules.js';
import { KeyMemo, type KeyFacts } from './redact-keys.js';
import { applyRules, truncate } from './redact-scan.js';
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
// `--password` in `process.command_args`: the next item is its value.
const FLAG = /^--?[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

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
    if (text.length < MIN_SECRET_LENGTH && this.patterns.length === 0) return text;
    const bounded = text.length > this.maxLength ? truncate(text, this.maxLength) : text;
    let out = applyRules(TEXT_RULES, bounded, this.replacement, this.names);
    for (const pattern of this.patterns) {
      out = replaceUserPattern(out, pattern, this.replacement);
    }
    return out;
  }

  private value(key: KeyFacts, value: AttributeValue | undefined): AttributeValue | undefined {
    if (value === undefined || value === null) return value;
    if (key.secret) {
      return Array.isArray(value) ? value.map(() => this.replacement) : this.replacement;
    }
    if (typeof value === 'string') return KeyMemo.value(key, value, this.mask);
    if (Array.isArray(value)) return this.array(value as unknown[]);
    return value;
  }

  /** Whether `item` is a command-line flag whose value is a secret (`--password`). */
  private isSecretFlag(item: unknown): boolean {
    if (typeof item !== 'string' || item.length > 66 || !FLAG.test(item)) return false;
    return this.names.isSecretParam(item.replace(/^-+/, ''));
  }

  /** The array with its strings masked; the same array when nothing changed. */
  private array(values: unknown[]): AttributeValue {
    let out: unknown[] | undefined;
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (typeof value !== 'string') continue;
      const masked =
        i > 0 && this.isSecretFlag(values[i - 1]) ? this.replacement : this.string(value);
      if (masked === value) continue;
      out ??= [...values];
      out[i] = masked;
    }
    return (out ?? values) as AttributeValue;
  }

  /** A copy of `attributes` with secrets in keys and values masked; the same object when nothing changed. */
  attributes(attributes: Attributes): Attributes {
    let out: Attributes | undefined;
    for (const key of Object.keys(attributes)) {
      const value = attributes[key];
      const facts = this.keys.of(key);
      const masked = this.value(facts, value);
      const { maskedKey } = facts;
      if (masked === value && maskedKey === key) continue;
      out ??= { ...attributes };
      if (maskedKey !== key) delete out[key];
      out[maskedKey] = masked;
    }
    return out ?? attributes;
  }
}
