// ReDoS: every redaction rule runs in linear time on any input, and the scanned length is bounded.
// Megabyte-long adversarial text goes through each rule, and the time is compared with the same
// shape at an eighth of the length: linear grows 8 times, quadratic 64 times. A scan fails when it
// both grows super-linearly and takes over a second: a busy machine can bend one of the two, not
// both (a quadratic scan of 1 MB takes minutes, a linear one tens of ms).
import { describe, expect, it } from 'vitest';
import { LEAK_SHAPES } from '../test/leak-corpus.js';
import { SecretNames } from './redact-names.js';
import { TEXT_RULES } from './redact-rules.js';
import { DEFAULT_MAX_LENGTH, Redactor } from './redact.js';

const MB = 1 << 20;
/** The large input of each shape is GROWTH times the small one. */
const GROWTH = 8;
/** Linear time grows about GROWTH times, quadratic GROWTH squared: this is between, with slack. */
const MAX_RATIO = 3 * GROWTH;
/** Below this, a timing is noise (timer resolution, a minor GC), so the small run counts as this. */
const FLOOR_MS = 2;
/** A scan of the large input this fast is not a denial of service, whatever its growth. */
const BOUND_MS = 1000;

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
  '%3D',
  'token%3D',
  'a%3A%2F%2Fa%3A',
  '%25',
  '%4',
  'ø',
  'ä.',
  'ü@ü.',
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
  '<',
  '<a',
  '<password>',
  '<password> ',
  '<a:password x=">',
  '<a key="password" value="',
  '<a key="password" value="a">',
  '<token><![CDATA[ ',
  'password:\n',
  'password:\n ',
  'password: |\n',
  'a:\n  password:\n',
  "PASSWORD '",
  'password ',
  'PASSWORD FOR ',
  'PASSWORD $a',
  'IDENTIFIED WITH a ',
  'identified by ',
  'AUTH a\n',
  'ACL >',
  '\nACL a >',
  '--password ',
  '--a ',
  // unquoted values that run on, names set apart, a value named by its name field
  'password: a ',
  'password=a, b ',
  'password=((',
  '(password=',
  ';sid=(',
  ' key=(',
  '**password**: ',
  'a[password]=',
  'password                                = ',
  'PASSWORD := ',
  '= $1 ',
  '- name: DB_PASSWORD\n  value: ',
  '"name":"password",',
  '{"key":"api_key","value":"',
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
  // read again through the shadow (escapes, invisible and full-width characters)
  '\\u0070',
  '\\u00',
  '\\"',
  '\\\\\\"',
  '{\\"password\\":\\"',
  '\u200b',
  'a\u200b=',
  'ｐａｓｓ＝',
  '４１１１ ',
  'password => ',
  '&#6',
  '&quot',
  '&&;',
  'a/a@',
  'a:a@tcp(',
  'a:a@a:1',
  ' -a',
  ' -p',
  'mysql -pa ',
  'redis-cli -a ',
  '; docker login -p ',
  ' -u a:',
  "insert into t (password) values ('",
  'insert into t (password) values (x,(',
  'insert a(',
  "insert into t (password) select 'a' from (",
  'insert all into t (a) values (1) ',
  'sqlplus a/a@a ',
  'insert into t (',
  'form-data; name="password"\n',
  '| token |',
  '|',
  '-u x ',
  '| password |\n|---|\n',
  '----\n',
  'a\n---|\n',
  '"password":{',
  '"password":{"a":"',
  '{"ParameterKey":"password","ParameterValue":',
  // a value before its name, calls and subscripts, passphrases with colons, multipart names
  // without quotes, references encoded twice, doubled spaces, look-alike letters
  '{"value":"a",',
  '{"value":"a","name":"password",',
  '"value":"a(","name":"password",',
  'value=a((name=password(',
  'value=a&name=token&',
  '- value: a\n  name: password\n',
  'value: a\n',
  '- value: |\n  a\n name: password\n',
  'value:\n',
  "define('password', '",
  "f('password', 'a'),",
  "f('password',",
  "('a',",
  'a["password"]="',
  '["',
  "a['",
  'password: a b: ',
  'password: a: ',
  'a: b: ',
  'form-data; name=password\n',
  'form-data; name=',
  '&amp;',
  '&amp;#61;',
  '&amp;quot;',
  '4111  ',
  '4111   1',
  '\u0430',
  'p\u0430ss=',
  'p\u0430',
  // names and values parted by blanks (commands, directives, netrc), translation calls,
  // passphrases with a colon after `=`
  'setenv ',
  'setenv a ',
  'setenv password ',
  'setenv password "',
  'launchctl ',
  'set -',
  'set -x ',
  'set -gx password ',
  'set -gx password a',
  'set PASSWORD ',
  'ENV password ',
  'ENV password a',
  'env ',
  'git config ',
  'git config --file ',
  'npm config set ',
  'npm config set //a/:_authToken ',
  'proxy_set_header password ',
  'setx password $a ',
  'machine ',
  'machine a login ',
  'machine a login a password ',
  'machine a\n login a\n password ',
  "__('password', '",
  "t('password', 'a'),",
  'password=a b: ',
  'password=a b:',
  'password=a ',
  ' a=',
  // netrc tokens in any order, git's and npm's other forms, escapes, quotes and continuations in
  // a value, gaps of any length, more directives, prompts, calls named like translations, log
  // fields after a value
  'machine a.b ',
  'machine a.b password ',
  'machine a.b port 1 login ',
  'machine a.b\n',
  'default ',
  '\ndefault password ',
  'git config set ',
  'git config --type a ',
  'npm set ',
  'npm config set --location a ',
  'setenv password \\\n',
  'setenv password a\\',
  'setenv password a"',
  'setenv password a\\ ',
  'ENV password a \\\n ',
  'ENV password a"',
  'ENV password a\\',
  'proxy_set_header authorization basic ',
  'Header set password ',
  'RequestHeader always set ',
  'add_header password ',
  'header_up password a ',
  '$ set PASSWORD ',
  '- set PASSWORD ',
  'set PASSWORD a ',
  "tr('password', '",
  "__('password', 'a-",
  'password=a msg: ',
  'x password: a b c d e f ',
];
// Every shape of the leak corpus cut short, repeated (a quarter megabyte: there are many of them).
const FROM_CORPUS = LEAK_SHAPES.map(({ text }) => text.slice(0, Math.max(1, text.length - 2)));

/** The adversarial inputs of about `size` characters, made one at a time (together they are big). */
function* shapes(size = MB): Generator<string> {
  for (const unit of GENERIC) yield repeat(unit, size);
  for (const unit of FROM_CORPUS) yield repeat(unit, size / 4);
  yield `${'a'.repeat(size)}@a`;
  yield `${'1'.repeat(size)}x`;
  yield `sk-${'a'.repeat(size)}`;
}

function timed(fn: () => unknown): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

interface Growth {
  /** How many times longer the large input took than the small one. */
  readonly ratio: number;
  /** The time of the large input. */
  readonly ms: number;
  readonly at: string;
}

/** `scan`'s time on `large`, and how much longer it is than on `small` (GROWTH times shorter). */
function growth(scan: (text: string) => unknown, small: string, large: string): Growth {
  const base = Math.max(
    FLOOR_MS,
    Math.min(
      timed(() => scan(small)),
      timed(() => scan(small)),
    ),
  );
  let ms = timed(() => scan(large));
  // a GC pause or a busy core can land on one run: a linear scan is fast when measured again
  if (ms / base >= MAX_RATIO)
    ms = Math.min(
      ms,
      timed(() => scan(large)),
    );
  return { ratio: ms / base, ms, at: large.slice(0, 40) };
}

/** Linear, or fast enough that it does not matter. */
function expectLinear({ ratio, ms, at }: Growth, what = ''): void {
  const seen = `${what} input starting ${JSON.stringify(at)}: ${ms.toFixed(0)} ms, ${ratio.toFixed(1)}x`;
  expect(ratio < MAX_RATIO || ms < BOUND_MS, seen).toBe(true);
}

/** Every adversarial shape, from `size / GROWTH` to `size`, through `scan`. */
function expectLinearOnShapes(scan: (text: string) => unknown, size = MB): void {
  const small = [...shapes(size / GROWTH)];
  let i = 0;
  for (const large of shapes(size)) {
    expectLinear(growth(scan, small[i] ?? '', large));
    i += 1;
  }
}

describe('redaction runs in linear time', () => {
  // the slowest rules take 13-14 s on a warm 2-core machine running other test files beside
  // this one: over the 30 s default on a machine half as fast (the check is a growth ratio, not
  // a duration)
  it.each(TEXT_RULES.map((rule) => [rule.name, rule] as const))(
    'rule %s on megabyte-long adversarial inputs',
    (_name, rule) => {
      const names = new SecretNames();
      expectLinearOnShapes((text) => rule.scan(text, names));
    },
    120_000,
  );

  // every rule on every shape: its time grows with the corpus (over 40 s on a busy 2-core machine)
  it('the whole redactor, scanning everything (maxLength 2 MB), on the same inputs', () => {
    const redactor = new Redactor({ maxLength: 2 * MB });
    expectLinearOnShapes((text) => redactor.string(text));
  }, 180_000);

  it("the issue's reproduction: 'a' x 16000 + '@a' (quadratic e-mail pattern before)", () => {
    const redactor = new Redactor({ maxLength: 2 * MB });
    // 8 and 64 times the length (250 ms then): quadratic grows 64 times, linear 8
    const text = (times: number) => `${'a'.repeat(16_000 * times)}@a`;
    expectLinear(growth((t) => redactor.string(t), text(8), text(64)));
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
    for (const unit of ['a', 'a ', 'ab', 'x1']) {
      const small = repeat(unit, MB / 4 / GROWTH);
      const large = repeat(unit, MB / 4);
      expectLinear(growth((t) => redactor.string(t), small, large));
      const key = (text: string) => redactor.attributes({ [text.slice(0, text.length / 64)]: 'v' });
      expectLinear(growth(key, small, large), 'a key:');
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

  it('cuts an array attribute past maxLength characters in all, with a marker item', () => {
    const items = Array.from({ length: 40_000 }, (_, i) => `item=${i} x://a@b token=${i}`);
    let out: unknown[] = [];
    const ms = timed(() => {
      out = redactor.attributes({ 'app.items': items })['app.items'] as unknown[];
    });
    // the items kept hold maxLength characters of input in all
    const kept = items.slice(0, out.length - 1).join('');
    expect(kept.length).toBeLessThanOrEqual(DEFAULT_MAX_LENGTH + 30);
    expect(out.at(-1)).toBe(`[TRUNCATED ${items.length - out.length + 1} items]`);
    expect(out[0]).toBe('item=0 x://[REDACTED]@b token=[REDACTED]');
    expect(ms).toBeLessThan(BOUND_MS);
    // a secret key's array, too
    const secret = redactor.attributes({ 'user.password': items })['user.password'] as unknown[];
    expect(secret.length).toBeLessThan(DEFAULT_MAX_LENGTH / 8);
    expect(secret.at(-1)).toMatch(/^\[TRUNCATED \d+ items\]$/);
  });

  it('bounds the characters scanned in one attribute set', () => {
    const big = 'word '.repeat(DEFAULT_MAX_LENGTH / 5);
    const attributes = Object.fromEntries(
      Array.from({ length: 64 }, (_, i) => [`app.blob${i}`, `${big}${i}`]),
    );
    const out = redactor.attributes(attributes);
    const total = Object.values(out).reduce<number>((sum, v) => sum + String(v).length, 0);
    expect(total).toBeLessThanOrEqual(16 * DEFAULT_MAX_LENGTH + 64 * 40);
    expect(out['app.blob63']).toMatch(/^\[TRUNCATED \d+ chars\]$/);
    expect(redactor.attributes({ a: 'token=abc', b: ['x', 'pass=y'] })).toEqual({
      a: 'token=[REDACTED]',
      b: ['x', 'pass=[REDACTED]'],
    });
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
