// One pass over a text with every rule at once: a single combined RegExp finds the leftmost
// candidate, the rule that matched decides what to mask, and the scan goes on after it.
import type { SecretNames } from './redact-names.js';
import type { Hit, TextRule } from './redact-rules.js';

// Characters a secret's token is made of: the token a length bound cuts through is dropped whole.
const TOKEN_BREAK = /[\s"'<>()[\]{}|,;]/;

/**
 * `text` cut to `maxLength` characters, without the token the cut falls in (and a card number in
 * groups just before it), followed by a marker that says how much was cut.
 */
export function truncate(text: string, maxLength: number): string {
  let end = maxLength;
  // a surrogate pair stays whole
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  while (end > 0 && !TOKEN_BREAK.test(text.charAt(end - 1))) end--;
  while (end > 0 && /[0-9 -]/.test(text.charAt(end - 1))) end--;
  return `${text.slice(0, end)}[TRUNCATED ${text.length - end} chars]`;
}

/** Runs a list of rules over text; the combined pattern has one capturing group per rule. */
export class Scanner {
  private readonly combined: RegExp;
  // each rule alone, to try the rules after one that turned its match down at the same position
  private readonly sticky: RegExp[];

  constructor(private readonly rules: readonly TextRule[]) {
    this.combined = new RegExp(rules.map((rule) => `(${rule.source})`).join('|'), 'g');
    this.sticky = rules.map((rule) => new RegExp(rule.source, 'y'));
  }

  /** The hits of the first rule from `from` on that accepts a match at `at`, or undefined. */
  private retry(text: string, at: number, from: number, names: SecretNames): readonly Hit[] | undefined {
    for (let r = from; r < this.rules.length; r++) {
      const pattern = this.sticky[r] as RegExp;
      pattern.lastIndex = at;
      const match = pattern.exec(text);
      if (match === null) continue;
      const hits = this.hitsOf(r, text, at, at + match[0].length, names);
      if (hits !== undefined) return hits;
    }
    return undefined;
  }

  private hitsOf(
    rule: number,
    text: string,
    start: number,
    end: number,
    names: SecretNames,
  ): readonly Hit[] | undefined {
    const hits = (this.rules[rule] as TextRule).hits;
    return hits === undefined ? [{ from: start, to: end }] : hits(text, start, end, names);
  }

  /** `text` with every hit replaced by `replacement`; the same string when there was none. */
  mask(text: string, replacement: string, names: SecretNames): string {
    const pattern = this.combined;
    pattern.lastIndex = 0;
    let out = '';
    let copied = 0;
    let match: RegExpExecArray | null;
    while ((match = pattern.exec(text)) !== null) {
      const start = match.index;
      let rule = 0;
      while (match[rule + 1] === undefined) rule++;
      const hits =
        this.hitsOf(rule, text, start, start + match[0].length, names) ??
        this.retry(text, start, rule + 1, names);
      if (hits === undefined) {
        pattern.lastIndex = start + 1;
        continue;
      }
      for (const hit of hits) {
        if (hit.from < copied || hit.to <= hit.from) continue;
        out += text.slice(copied, hit.from) + replacement;
        copied = hit.to;
      }
      pattern.lastIndex = Math.max(copied, start + 1);
    }
    return copied === 0 ? text : out + text.slice(copied);
  }
}
