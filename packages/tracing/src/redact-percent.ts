// Secrets inside percent-encoded text (`?next=%2Fcb%3Ftoken%3D…`, `next=https%3A%2F%2Fu%3Apw%40h`,
// `pass%77ord=…`): one level of percent-encoding (two when it was encoded twice) is decoded for scanning, and what the rules find
// there is masked in the original text. One pass decodes, with a map back to the original.
import type { SecretNames } from './redact-names.js';
import type { Hit, TextRule } from './redact-rules.js';
import { hitsThrough, type Decoded } from './redact-scan.js';
import { hexValue } from './redact-shadow.js';

/** The byte of the `%XX` at `i`, or -1. */
function escapeAt(text: string, i: number): number {
  if (text.charCodeAt(i) !== 37) return -1;
  const high = hexValue(text.charCodeAt(i + 1));
  const low = hexValue(text.charCodeAt(i + 2));
  return high < 0 || low < 0 ? -1 : high * 16 + low;
}

/** `text` with each `%XX` read as one character (a byte), or undefined when it has none. */
function decoded(text: string): (Decoded & { readonly starts: Int32Array }) | undefined {
  let first = text.indexOf('%');
  while (first >= 0 && escapeAt(text, first) < 0) first = text.indexOf('%', first + 1);
  if (first < 0) return undefined;
  const starts = new Int32Array(text.length + 1);
  const parts: string[] = [];
  let length = 0;
  let copied = 0;
  for (let i = 0; i < first; i++) starts[length++] = i;
  let i = first;
  while (i < text.length) {
    const byte = escapeAt(text, i);
    if (byte < 0) {
      starts[length++] = i++;
      continue;
    }
    parts.push(text.slice(copied, i), String.fromCharCode(byte));
    starts[length++] = i;
    i += 3;
    copied = i;
  }
  parts.push(text.slice(copied));
  starts[length] = text.length;
  return { text: parts.join(''), starts };
}

/** What `rules` find in `text` with one level of percent-encoding decoded, in `text`'s places. */
export function percentEncodedHits(
  text: string,
  names: SecretNames,
  rules: readonly TextRule[],
): Hit[] {
  const once = decoded(text);
  if (once === undefined) return [];
  // encoded twice (`%253D`, a URL inside a URL's parameter): decoded again, mapped back twice
  const twice = decoded(once.text);
  const plain =
    twice === undefined
      ? once
      : { text: twice.text, starts: twice.starts.map((k) => once.starts[k] as number) };
  return hitsThrough(plain, names, rules);
}
