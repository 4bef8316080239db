// One cheap pass over a text that tells which rules could match at all: most span text (methods,
// paths, addresses, user agents) has no long token and no long digit run, and skips them.
import { changesShadow, entityAt, isLookAlike } from './redact-shadow.js';

/** What the rules' gates look at: the longest run of each kind of character. */
export interface TextProfile {
  /** `[A-Za-z0-9_-]`: a provider key needs at least 15. */
  readonly keyRun: number;
  /** `[A-Za-z0-9/+]`: an AWS secret key is 40. */
  readonly base64Run: number;
  /** `[0-9 ._-]`: a card number needs at least 13. */
  readonly cardRun: number;
  /** The text has an escape, a character reference or a character its shadow changes (see redact-shadow.ts). */
  readonly shadowed: boolean;
}

const KEY = 1;
const BASE64 = 2;
const CARD = 4;
const CLASS = Uint8Array.from({ length: 128 }, (_, code) => {
  const char = String.fromCharCode(code);
  return (
    (/[A-Za-z0-9_-]/.test(char) ? KEY : 0) |
    (/[A-Za-z0-9/+]/.test(char) ? BASE64 : 0) |
    (/[0-9 ._-]/.test(char) ? CARD : 0)
  );
});
// Shorter text has none of the runs the gates look for: only its shadow is asked about.
const SHORTEST_RUN = 13;
const NONE: TextProfile = { keyRun: 0, base64Run: 0, cardRun: 0, shadowed: false };
const NONE_SHADOWED: TextProfile = { ...NONE, shadowed: true };

function isLatinLetter(code: number): boolean {
  const lower = code | 0x20;
  return lower >= 97 && lower <= 122;
}

/**
 * Whether the character at `i` makes the text's shadow differ from it (see redact-shadow.ts). A
 * Cyrillic or Greek look-alike counts only beside a Latin letter (`pаssword`): prose in those
 * scripts is not read twice.
 */
function shadowAt(text: string, i: number, code: number): boolean {
  if (code === 0x26) return entityAt(text, i) !== undefined;
  if (!changesShadow(code)) return false;
  return (
    !isLookAlike(code) ||
    isLatinLetter(text.charCodeAt(i - 1)) ||
    isLatinLetter(text.charCodeAt(i + 1))
  );
}

function shadowed(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code === 0x5c || code === 0x26 || code >= 0x80) && shadowAt(text, i, code)) return true;
  }
  return false;
}

/**
 * The profile of `text`.
 *
 * @example
 * profileOf('GET /users/42?expand=everything').keyRun; // 10
 */
export function profileOf(text: string): TextProfile {
  if (text.length < SHORTEST_RUN) return shadowed(text) ? NONE_SHADOWED : NONE;
  let key = 0;
  let base64 = 0;
  let card = 0;
  const longest = { keyRun: 0, base64Run: 0, cardRun: 0, shadowed: false };
  const length = text.length;
  // branch-free counting: this loop runs over every long string a span carries
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if ((code === 0x5c || code === 0x26 || code >= 0x80) && !longest.shadowed) {
      longest.shadowed = shadowAt(text, i, code);
    }
    const cls = code < 128 ? (CLASS[code] as number) : 0;
    key = (key + 1) * (cls & KEY);
    base64 = (base64 + 1) * ((cls & BASE64) >> 1);
    card = (card + 1) * ((cls & CARD) >> 2);
    if (key > longest.keyRun) longest.keyRun = key;
    if (base64 > longest.base64Run) longest.base64Run = base64;
    if (card > longest.cardRun) longest.cardRun = card;
  }
  return longest;
}
