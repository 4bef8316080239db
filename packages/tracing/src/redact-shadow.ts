// Text as its reader would see it: backslash escapes decoded (JSON inside a JSON string, `\u0070`)
// and HTML character references (`&quot;password&quot;`),
// invisible characters dropped (`pass\u200bword`), full-width forms, odd spaces and Cyrillic or
// Greek look-alikes of Latin letters as ASCII (`ｐａｓｓｗｏｒｄ＝…`, `pаssword=…`). The rules run on this shadow too, and what they find there is masked at
// its place in the original text; each shadow character remembers where it came from.
import type { Decoded } from './redact-scan.js';

// An escape or a character reference that decodes to one again (`\\\"`, `&amp;quot;`) is decoded
// again, up to this many times.
const MAX_LEVELS = 3;

/** Characters that show nothing: format controls, joiners, variation selectors, fillers. */
function isInvisible(code: number): boolean {
  return (
    code === 0x00ad || // soft hyphen
    code === 0x034f || // combining grapheme joiner
    code === 0x061c || // Arabic letter mark
    code === 0x115f ||
    code === 0x1160 || // Hangul fillers
    code === 0x17b4 ||
    code === 0x17b5 ||
    (code >= 0x180b && code <= 0x180f) || // Mongolian selectors and vowel separator
    (code >= 0x200b && code <= 0x200f) || // zero-width space, joiners, direction marks
    (code >= 0x202a && code <= 0x202e) || // direction embeddings
    (code >= 0x2060 && code <= 0x206f) || // word joiner, invisible operators, deprecated formats
    code === 0x3164 ||
    (code >= 0xfe00 && code <= 0xfe0f) || // variation selectors
    code === 0xfeff || // byte order mark, zero-width no-break space
    code === 0xffa0
  );
}

/** Spaces other than ASCII's, which the rules would not take as a space. */
function isOtherSpace(code: number): boolean {
  return (
    code === 0x00a0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

// Cyrillic and Greek letters that look like Latin ones (`pаssword` with a Cyrillic а, `tοken`
// with a Greek ο), as the Latin letter: a name spelled with them reads as the name.
const LOOK_ALIKES: ReadonlyMap<number, number> = new Map(
  [
    // Cyrillic
    ['а', 'a'],
    ['е', 'e'],
    ['о', 'o'],
    ['р', 'p'],
    ['с', 'c'],
    ['у', 'y'],
    ['х', 'x'],
    ['к', 'k'],
    ['ѕ', 's'],
    ['і', 'i'],
    ['ј', 'j'],
    ['һ', 'h'],
    ['ӏ', 'l'],
    ['ԁ', 'd'],
    ['ԛ', 'q'],
    ['ԝ', 'w'],
    ['А', 'A'],
    ['В', 'B'],
    ['Е', 'E'],
    ['К', 'K'],
    ['М', 'M'],
    ['Н', 'H'],
    ['О', 'O'],
    ['Р', 'P'],
    ['С', 'C'],
    ['Т', 'T'],
    ['У', 'Y'],
    ['Х', 'X'],
    ['Ѕ', 'S'],
    ['І', 'I'],
    ['Ј', 'J'],
    ['Ү', 'Y'],
    ['Ӏ', 'I'],
    ['Ԛ', 'Q'],
    ['Ԝ', 'W'],
    // Greek
    ['α', 'a'],
    ['ε', 'e'],
    ['ι', 'i'],
    ['κ', 'k'],
    ['ν', 'v'],
    ['ο', 'o'],
    ['ρ', 'p'],
    ['υ', 'u'],
    ['χ', 'x'],
    ['Α', 'A'],
    ['Β', 'B'],
    ['Ε', 'E'],
    ['Ζ', 'Z'],
    ['Η', 'H'],
    ['Ι', 'I'],
    ['Κ', 'K'],
    ['Μ', 'M'],
    ['Ν', 'N'],
    ['Ο', 'O'],
    ['Ρ', 'P'],
    ['Τ', 'T'],
    ['Υ', 'Y'],
    ['Χ', 'X'],
  ].map(([from, to]) => [(from as string).charCodeAt(0), (to as string).charCodeAt(0)]),
);

/** Whether `code` is a Cyrillic or Greek letter that the shadow reads as a Latin one. */
export function isLookAlike(code: number): boolean {
  return code >= 0x0391 && code <= 0x052f && LOOK_ALIKES.has(code);
}

/** The character `code` stands for in the shadow, or -1 when it shows nothing. */
export function shown(code: number): number {
  if (code < 0x80) return code;
  if (code >= 0xff01 && code <= 0xff5e) return code - 0xfee0; // full-width ASCII
  if (isOtherSpace(code)) return 0x20;
  if (code >= 0x0391 && code <= 0x052f) return LOOK_ALIKES.get(code) ?? code;
  return isInvisible(code) ? -1 : code;
}

/** Whether `code` (a character of the text) makes its shadow differ from it. */
export function changesShadow(code: number): boolean {
  return code === 0x5c || code === 0xdb40 || (code >= 0x80 && shown(code) !== code);
}

/** The value of a hexadecimal digit's character code, or -1. */
export function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

/** The number the `digits` hexadecimal digits at `from` write, or -1. */
function hexAt(text: string, from: number, digits: number): number {
  if (digits < 1 || from + digits > text.length) return -1;
  let value = 0;
  for (let i = from; i < from + digits; i++) {
    const digit = hexValue(text.charCodeAt(i));
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

// HTML's named character references that matter to the rules (quotes, separators, brackets).
const NAMED_ENTITIES: Readonly<Record<string, number>> = {
  quot: 0x22,
  apos: 0x27,
  amp: 0x26,
  lt: 0x3c,
  gt: 0x3e,
  nbsp: 0x20,
  equals: 0x3d,
  colon: 0x3a,
  commat: 0x40,
};

/** The HTML character reference at `i` (`&quot;`, `&#61;`, `&#x40;`), or undefined. */
export function entityAt(text: string, i: number): { value: number; width: number } | undefined {
  if (text.charCodeAt(i) !== 0x26) return undefined;
  // a bounded look for the `;` (an unbounded indexOf would make a run of `&` quadratic)
  let close = i + 2;
  while (close < text.length && close - i <= 8 && text.charCodeAt(close) !== 0x3b) close++;
  if (text.charCodeAt(close) !== 0x3b || close - i > 8) return undefined;
  const body = text.slice(i + 1, close);
  let value: number | undefined;
  if (body.startsWith('#x') || body.startsWith('#X')) value = hexAt(body, 2, body.length - 2);
  else if (body.startsWith('#')) value = /^#\d{1,6}$/.test(body) ? Number(body.slice(1)) : -1;
  else value = NAMED_ENTITIES[body];
  return value === undefined || value < 0 || value > 0xffff
    ? undefined
    : { value, width: close - i + 1 };
}

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  '"': 0x22,
  "'": 0x27,
  '\\': 0x5c,
  '/': 0x2f,
  n: 0x0a,
  r: 0x0d,
  t: 0x09,
  b: 0x08,
  f: 0x0c,
};

/** One pass: escapes decoded once, characters mapped; `changed` when anything was. */
function pass(text: string): { text: string; at: number[]; changed: boolean } {
  const codes: number[] = [];
  const at: number[] = [];
  let changed = false;
  for (let i = 0; i < text.length;) {
    const code = text.charCodeAt(i);
    let value = code;
    let width = 1;
    const entity = code === 0x26 ? entityAt(text, i) : undefined;
    if (entity !== undefined) {
      value = entity.value;
      width = entity.width;
    } else if (code === 0x5c && i + 1 < text.length) {
      const next = text.charAt(i + 1);
      const simple = SIMPLE_ESCAPES[next];
      if (simple !== undefined) {
        value = simple;
        width = 2;
      } else if (next === 'u' || next === 'x') {
        const digits = next === 'u' ? 4 : 2;
        const decoded = hexAt(text, i + 2, digits);
        if (decoded >= 0) {
          value = decoded;
          width = 2 + digits;
        }
      }
    }
    // tag characters (U+E0000 to U+E007F, a surrogate pair each) show nothing either
    const tag = code === 0xdb40 && (text.charCodeAt(i + 1) & 0xff80) === 0xdc00;
    if (tag) width = 2;
    const mapped = tag ? -1 : shown(value);
    if (width > 1 || mapped !== code) changed = true;
    if (mapped >= 0) {
      codes.push(mapped);
      at.push(i);
    }
    i += width;
  }
  at.push(text.length);
  // in slices: String.fromCharCode takes its codes as arguments
  let out = '';
  for (let i = 0; i < codes.length; i += 8192) {
    out += String.fromCharCode(...codes.slice(i, i + 8192));
  }
  return { text: out, at, changed };
}

/**
 * The shadow of `text`, or undefined when it would be the text itself.
 *
 * @example
 * shadowOf('{\\"pass\\u0077ord\\":\\"x\\"}')?.text; // '{"password":"x"}'
 */
export function shadowOf(text: string): Decoded | undefined {
  let current = pass(text);
  if (!current.changed) return undefined;
  let at = current.at;
  // (`&amp;quot;`, `&amp;#61;`: a reference encoded twice, as a template escaping escaped text)
  for (let level = 1; level < MAX_LEVELS && /[\\&]/.test(current.text); level++) {
    const next = pass(current.text);
    if (!next.changed) break;
    at = next.at.map((k) => at[k] as number);
    current = next;
  }
  return { text: current.text, starts: at };
}
