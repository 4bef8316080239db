// Runs the rules over a text, and bounds how much text is scanned.
import type { SecretNames } from './redact-names.js';
import { profileOf } from './redact-profile.js';
import type { Hit, TextRule } from './redact-rules.js';
import { shadowOf, shown } from './redact-shadow.js';

// Characters between tokens: the token a length bound cuts through is dropped whole (not `;`,
// which ends the character reference in `ann&#64;corp.example`).
const TOKEN_BREAKS = new Set([...' \t\r\n"\'<>()[]{}|,']);
// What a card number is written with, as character codes (-1: an invisible character).
const CARD_CHARS = new Set([...'0123456789 ._-'].map((c) => c.charCodeAt(0)).concat(-1));

// What `truncate` ends a text it cut with.
const CUT_MARK = /\[TRUNCATED \d{1,16} chars\]$/;

/** Where the mark of a cut (see `truncate`) starts in `text`, or -1 when it was not cut. */
export function cutAt(text: string): number {
  if (!text.endsWith(' chars]')) return -1;
  const tail = Math.max(0, text.length - 40);
  const found = CUT_MARK.exec(text.slice(tail));
  return found === null ? -1 : tail + found.index;
}

/**
 * `text` cut to `maxLength` characters, without the token the cut falls in (nor the digit groups
 * of a card number just before it), followed by a marker that says how much was cut.
 */
export function truncate(text: string, maxLength: number): string {
  let end = maxLength;
  // a surrogate pair stays whole
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  if (!TOKEN_BREAKS.has(text.charAt(end))) {
    while (end > 0 && !TOKEN_BREAKS.has(text.charAt(end - 1))) end--;
  }
  // (also in full-width digits, and past invisible characters)
  while (end > 0 && CARD_CHARS.has(shown(text.charCodeAt(end - 1)))) end--;
  return `${text.slice(0, end)}[TRUNCATED ${text.length - end} chars]`;
}

/** `text` with `hits` (in order, not overlapping) replaced by `replacement`. */
export function replaceHits(text: string, hits: readonly Hit[], replacement: string): string {
  let out = '';
  let copied = 0;
  for (const hit of hits) {
    if (hit.from < copied || hit.to <= hit.from) continue;
    out += text.slice(copied, hit.from) + replacement;
    copied = hit.to;
  }
  return out + text.slice(copied);
}

/** A text decoded from another, and where each of its characters starts in that other text. */
export interface Decoded {
  readonly text: string;
  /** `starts[k]`: where character `k` came from; `starts[text.length]` is the other's length. */
  readonly starts: ArrayLike<number>;
}

/**
 * What `rules` find in `decoded`, at their places in the text it was decoded from, sorted and
 * joined where they overlap. The rules all read the same decoded text.
 */
export function hitsThrough(
  decoded: Decoded,
  names: SecretNames,
  rules: readonly TextRule[],
): Hit[] {
  const profile = profileOf(decoded.text);
  const found: Hit[] = [];
  for (const rule of rules) {
    if (!rule.gate(decoded.text, profile)) continue;
    for (const hit of rule.scan(decoded.text, names)) {
      const from = decoded.starts[hit.from] as number;
      const to = decoded.starts[hit.to] as number;
      if (to > from) found.push({ from, to });
    }
  }
  return sortedJoined(found);
}

/** `hits` sorted, and joined where they overlap. */
export function sortedJoined(hits: Hit[]): Hit[] {
  hits.sort((a, b) => a.from - b.from);
  const joined: Hit[] = [];
  for (const hit of hits) {
    const last = joined[joined.length - 1];
    if (last !== undefined && hit.from <= last.to) {
      joined[joined.length - 1] = { from: last.from, to: Math.max(last.to, hit.to) };
    } else {
      joined.push(hit);
    }
  }
  return joined;
}

/**
 * `text` with what each rule finds replaced by `replacement`, rule after rule; the same string
 * when nothing was found. Text with escapes, invisible or full-width characters is read a second
 * time as its reader would see it (`{\"pass\u0077ord\":…}`, `pass\u200bword=…`).
 */
export function applyRules(
  rules: readonly TextRule[],
  text: string,
  replacement: string,
  names: SecretNames,
): string {
  const profile = profileOf(text);
  let out = text;
  for (const rule of rules) {
    if (!rule.gate(out, profile)) continue;
    const hits = rule.scan(out, names);
    if (hits.length > 0) out = replaceHits(out, hits, replacement);
  }
  if (!profile.shadowed) return out;
  // the rules again, on the text as its reader sees it (see redact-shadow.ts)
  const shadow = shadowOf(out);
  const hits = shadow === undefined ? [] : hitsThrough(shadow, names, rules);
  return hits.length === 0 ? out : replaceHits(out, hits, replacement);
}
