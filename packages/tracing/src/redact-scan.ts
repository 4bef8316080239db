// Runs the rules over a text, and bounds how much text is scanned.
import type { SecretNames } from './redact-names.js';
import { profileOf } from './redact-profile.js';
import type { Hit, TextRule } from './redact-rules.js';

// Characters between tokens: the token a length bound cuts through is dropped whole.
const TOKEN_BREAKS = new Set([...' \t\r\n"\'<>()[]{}|,;']);

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
  while (end > 0 && '0123456789 -'.includes(text.charAt(end - 1))) end--;
  return `${text.slice(0, end)}[TRUNCATED ${text.length - end} chars]`;
}

/** `text` with `hits` (in order, not overlapping) replaced by `replacement`. */
function replaceHits(text: string, hits: readonly Hit[], replacement: string): string {
  let out = '';
  let copied = 0;
  for (const hit of hits) {
    if (hit.from < copied || hit.to <= hit.from) continue;
    out += text.slice(copied, hit.from) + replacement;
    copied = hit.to;
  }
  return out + text.slice(copied);
}

/**
 * `text` with what each rule finds replaced by `replacement`, rule after rule; the same string
 * when nothing was found.
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
  return out;
}
