// Payment card numbers inside a run of digit groups ("order 2024 4111 1111 1111 1111"): 13 to 19
// digits, written whole or in groups of 3 to 6 with one kind of separator (a space, `-`, `.` or
// `_`; spaces may be doubled, `4111  1111  …`), starting with 2 to 6
// (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay) and passing the Luhn check.
import type { Hit } from './redact-rules.js';

interface Group {
  readonly from: number;
  readonly to: number;
}

const MIN_DIGITS = 13;
const MAX_DIGITS = 19;
// Cards are printed in groups of four (Amex 4-6-5, Diners 4-6-4): at most five of them.
const MAX_GROUPS = 5;

function groupsOf(text: string, start: number, end: number): Group[] {
  const groups: Group[] = [];
  let from = start;
  for (let i = start; i <= end; i++) {
    const code = i < end ? text.charCodeAt(i) : 0;
    if (code >= 48 && code <= 57) continue;
    if (i > from) groups.push({ from, to: i });
    from = i + 1;
  }
  return groups;
}

/** Whether the digits of `groups` form a number that passes the Luhn check. */
function luhn(text: string, groups: readonly Group[]): boolean {
  let sum = 0;
  let double = false;
  for (let g = groups.length - 1; g >= 0; g--) {
    const { from, to } = groups[g] as Group;
    for (let i = to - 1; i >= from; i--) {
      let digit = text.charCodeAt(i) - 48;
      if (double) {
        digit *= 2;
        if (digit > 9) digit -= 9;
      }
      sum += digit;
      double = !double;
    }
  }
  return sum % 10 === 0;
}

/** The card at groups[first..], if one starts there. */
function cardAt(text: string, groups: readonly Group[], first: number): number | undefined {
  const head = groups[first] as Group;
  const lead = text.charCodeAt(head.from) - 48;
  if (lead < 2 || lead > 6) return undefined;
  const whole = head.to - head.from;
  if (whole >= MIN_DIGITS) {
    return whole <= MAX_DIGITS && luhn(text, [head]) ? first : undefined;
  }
  let digits = 0;
  const separator = text[head.to];
  for (let last = first; last < groups.length && last < first + MAX_GROUPS; last++) {
    const group = groups[last] as Group;
    const size = group.to - group.from;
    if (size < 3 || size > 6) return undefined;
    if (last > first && text[group.from - 1] !== separator) return undefined;
    digits += size;
    if (digits > MAX_DIGITS) return undefined;
    if (digits >= MIN_DIGITS && luhn(text, groups.slice(first, last + 1))) return last;
  }
  return undefined;
}

/** The card numbers inside `text[start, end)`, a run of digit groups. */
export function luhnCards(text: string, start: number, end: number): Hit[] | undefined {
  const groups = groupsOf(text, start, end);
  const hits: Hit[] = [];
  for (let first = 0; first < groups.length; first++) {
    const last = cardAt(text, groups, first);
    if (last === undefined) continue;
    hits.push({ from: (groups[first] as Group).from, to: (groups[last] as Group).to });
    first = last;
  }
  return hits.length > 0 ? hits : undefined;
}
