// ReDoS: every redaction rule runs in linear time on any input, and the scanned length is bounded.
// Megabyte-long adversarial text goes through each rule; the time bound is so generous that only
// super-linear behaviour can reach it (a quadratic scan of 1 MB takes minutes, a linear one ms).
import { describe, expect, it } from 'vitest';
import { LEAK_SHAPES } from '../test/leak-corpus.js';
import { SecretNames } from './redact-names.js';
import { TEXT_RULES } from './redact-rules.js';
import { DEFAULT_MAX_LENGTH, Redactor } from './redact.js';

const MB = 1 << 20;
const BOUND_MS = 3000;

/** `unit` repeated to `size` characters, then `tail` (a last character that makes a match fail). */
function repeat(unit: string, size = MB, tail = '!'): string {
  return unit.repeat(Math.ceil(size / unit.length)) + tail;
}

// Long runs of name characters, repeated separators, and prefixes that nearly match.
const GENERIC = [
  ...'aA0_-.@ =:/+~%#&;,"\'\\\t\n'.split(''),
  'a.',
  'a@',
  'a@a.',
  'a%40',
  'a-',
  '1 ',
  '1-',
  '12 ',
  '4111 ',
  'x://',
  'x://a:',
  'x://a@',
  'a=',
  'a:',
  'a: ',
  '"a":"',
  'token=',
  'token: ',
  '"password":"',
  'password="a',
  '--',
  '--password ',
  '--a ',
  'Bearer ',
  'bearer a',
  'basic ',
  'eyJ',
  'eyJaaaaaaaa.',
  'eyJaaaaaaaa.aa.',
  '-----BEGIN PRIVATE KEY-----',
  '-----BEGIN',
  '-----END',
  'aaa1Q~',
  'Q~',
  'aB3/',
  'aB3+',
  'hooks.slack.com/services/',
  '12345678:AA',
  `M${'a'.repeat(23)}.`,
  'sk-',
  'sk_live_',
  'AKIA',
];
// Every shape of the leak corpus cut short, repeated (a quarter megabyte: there are many of them).
const FROM_CORPUS = LEAK_SHAPES.map(({ text }) => text.slice(0, Math.max(1, text.length - 2)));

/** The adversarial inputs, made one at a time (together they would take a quarter gigabyte). */
function* shapes(): Generator<string> {
  for (const unit of GENERIC) yield repeat(unit);
  for (const unit of FROM_CORPUS) yield repeat(unit, MB / 4);
  yield `${'a'.repeat(MB)}@a`;
  yield `${'1'.repeat(MB)}x`;
  yield `sk-${'a'.repeat(MB)}`;
}

function timed(fn: () => unknown): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

describe('redaction runs in linear time', () => {
  it.each(TEXT_RULES.map((rule) => [rule.name, rule] as const))(
    'rule %s on megabyte-long adversarial inputs',
    (_name, rule) => {
      const names = new SecretNames();
      let slowest = 0;
      for (const text of shapes())
        slowest = Math.max(
          slowest,
          timed(() => rule.scan(text, names)),
        );
      expect(slowest).toBeLessThan(BOUND_MS);
    },
  );

  it('the whole redactor, scanning everything (maxLength 2 MB), on the same inputs', () => {
    const redactor = new Redactor({ maxLength: 2 * MB });
    let slowest = 0;
    for (const text of shapes())
      slowest = Math.max(
        slowest,
        timed(() => redactor.string(text)),
      );
    expect(slowest).toBeLessThan(BOUND_MS);
  });

  it("the issue's reproduction: 'a' x 16000 + '@a' (quadratic e-mail pattern before)", () => {
    const redactor = new Redactor({ maxLength: 2 * MB });
    // 64 times the length: 250 ms then; quadratic would be 4096 times that
    expect(timed(() => redactor.string(`${'a'.repeat(16_000 * 64)}@a`))).toBeLessThan(BOUND_MS);
  });

  // RE2 in JavaScript is linear but slower than V8: a quarter megabyte is enough to tell linear
  // from catastrophic (these patterns take minutes on V8 at 30 characters)
  it('user patterns run on RE2: the classic catastrophic ones stay linear', () => {
    const redactor = new Redactor({
      maxLength: 2 * MB,
      patterns: [
        /(a+)+$/,
        /(a|aa)+b/,
        /(\w+\s?)+$/,
        /^(([a-z])+.)+[A-Z]([a-z])+$/,
        /(?<=x)(\d+)+y/,
      ],
      keys: [/^(a+)+$/],
    });
    for (const text of ['a', 'a ', 'ab', 'x1'].map((unit) => repeat(unit, MB / 4))) {
      expect(timed(() => redactor.string(text))).toBeLessThan(BOUND_MS);
      expect(timed(() => redactor.attributes({ [text.slice(0, 4096)]: 'v' }))).toBeLessThan(
        BOUND_MS,
      );
    }
    expect(redactor.string('xx aaaa')).toBe('xx [REDACTED]');
  });

  it('refuses user patterns RE2 cannot run in linear time, naming the field', () => {
    expect(() => new Redactor({ patterns: [/ok/, /(?=a)b/] })).toThrow(
      /redact\.patterns\[1\] must be a RegExp that runs in linear time/,
    );
    expect(() => new Redactor({ keys: ['ssn', /(a)\1/] })).toThrow(/redact\.keys\[1\]/);
  });
});

describe('the scanned length is bounded', () => {
  const redactor = new Redactor();

  it('cuts a long value at maxLength and says how much was cut', () => {
    const out = redactor.string(`${'word '.repeat(MB / 5)}`);
    expect(out.length).toBeLessThanOrEqual(DEFAULT_MAX_LENGTH + 40);
    expect(out).toMatch(/\[TRUNCATED \d+ chars\]$/);
  });

  it('never exports text past the bound, nor a secret the bound cuts in two', () => {
    // the cut falls `shift` characters into the first copy of the text
    const pad = 'x '.repeat(DEFAULT_MAX_LENGTH / 2);
    for (const { secret, text } of LEAK_SHAPES) {
      for (let shift = 0; shift < text.length; shift += 7) {
        const out = redactor.string(`${pad.slice(shift)}${text} then ${text}`);
        expect(out).not.toContain(secret);
        // no piece of the secret that the rules would no longer recognise
        if (secret.length >= 16) expect(out).not.toContain(secret.slice(0, 12));
      }
    }
  });
});
