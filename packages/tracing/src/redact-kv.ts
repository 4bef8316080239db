// Secrets named by what precedes them: `name=value`, `name: value`, `name => value` and
// `name := value` (query strings, headers, JSON, connection strings, environment dumps, Makefiles,
// Markdown, Ruby and PHP), `--name value` on a command line, the `value` beside a `name` that
// names a secret (`{"name":"DB_PASSWORD","value":"…"}`, either order), and the second argument of a
// call whose first names one (`define('AUTH_KEY', '…')`). A scanner by hand, from each separator:
// it looks back over at most one name and ahead a bounded way, so it stays linear.
import type { SecretNames } from './redact-names.js';
import { cutAt, sortedJoined } from './redact-scan.js';
import { isSqlPlaceholder } from './redact-sql.js';
import type { Hit } from './redact-rules.js';

// Auth schemes whose credential follows after a space (`Authorization: Bearer …`).
export const AUTH_SCHEMES = ['bearer', 'basic', 'digest', 'token', 'negotiate'];
const MAX_NAME = 64;
// Blanks between a name and its separator (`password      = …` in aligned INI, TOML, JSON).
const MAX_GAP = 32;
// Markdown emphasis between a label and its separator (`**Password**:`).
const MAX_EMPHASIS = 8;
// How far after `name: DB_PASSWORD` its `value: …` may start.
const LINK_WINDOW = 256;
// Characters that end an unquoted value wherever it stands: a line, a `;` list, markup, an escape.
const HARD_END = new Set([...'\r\n;<\\']);
// What follows a bracket that closes one around the value (`{password: x}`, `(token=x)`).
const AFTER_OUTER = new Set([...' \t\r\n,;)]}"\'<\\&']);
// What ends a command-line flag's value: a shell word.
const WORD_END = new Set([...' \t\r\n;&|<>"\'\\`']);

function isNameChar(code: number): boolean {
  return (
    (code >= 48 && code <= 57) ||
    (code >= 65 && code <= 90) ||
    (code >= 97 && code <= 122) ||
    code === 95 ||
    code === 45
  );
}

/** A name character, a dot or a bracket: the characters of a key (`db.password`, `user[email]`). */
function isKeyChar(code: number): boolean {
  return isNameChar(code) || code === 46 || code === 91 || code === 93;
}

/** A letter or `_`: what a name starts with. */
function startsName(code: number): boolean {
  const lower = code | 0x20;
  return (lower >= 97 && lower <= 122) || code === 95;
}

export function isBlank(text: string, i: number): boolean {
  return text[i] === ' ' || text[i] === '\t';
}

export function isQuote(char: string | undefined): boolean {
  return char === '"' || char === "'";
}

function skipBlanks(text: string, i: number): number {
  while (i < text.length && isBlank(text, i)) i++;
  return i;
}

/** Past a quoted value: the index of the closing quote, or the end of the text. */
function closingQuote(text: string, from: number, quote: string): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === quote) return i;
  }
  return text.length;
}

/** Whether `char` parts the words of a value: a blank, a comma, an `&` outside a query string. */
function isSoft(char: string, inQuery: boolean): boolean {
  return char === ' ' || char === '\t' || char === ',' || (char === '&' && !inQuery);
}

/**
 * The separator of the pair that starts at `i` (`user=bob`, `"user": "bob"`, `--user=bob`,
 * `user[email]=a`), or '' when none does.
 */
function pairSeparator(text: string, i: number): string {
  let at = i;
  if (isQuote(text[at])) at++;
  while (at - i <= MAX_EMPHASIS && (text[at] === '*' || text[at] === '-')) at++;
  if (!startsName(text.charCodeAt(at))) return '';
  const start = at;
  while (at - start <= MAX_NAME && isKeyChar(text.charCodeAt(at))) at++;
  if (at - start > MAX_NAME) return '';
  if (isQuote(text[at])) at++;
  const emphasis = at;
  while (at - emphasis < MAX_EMPHASIS && text[at] === '*') at++;
  const gap = at;
  while (at - gap < MAX_GAP && isBlank(text, at)) at++;
  const next = text[at + 1];
  // not `==` nor `=` at the end (base64 padding), nor `://` (a URL)
  if (text[at] === '=') return next !== undefined && next !== '=' && next !== ' ' ? '=' : '';
  if (text[at] === ':') return next !== '/' ? ':' : '';
  return (text[at] === '?' || text[at] === '+') && next === '=' ? '=' : '';
}

// The fields of a log line, which end a value before them (`password=abc reason: expired`).
const LOG_FIELDS = new Set([
  ...['msg', 'message', 'reason', 'note', 'status', 'error', 'err', 'level', 'lvl', 'severity'],
  ...['time', 'ts', 'timestamp', 'date', 'detail', 'details', 'code', 'path', 'method', 'url'],
  ...['uri', 'user', 'username', 'host', 'ip', 'pid', 'id', 'duration', 'elapsed', 'result'],
  ...['event', 'action', 'component', 'module', 'service', 'caller', 'source', 'attempt'],
]);
const MAX_FIELD = 12;

/** Whether a log line's field name starts at `at` (`msg: …`). */
function isLogField(text: string, at: number): boolean {
  let end = at;
  while (end - at <= MAX_FIELD && /[A-Za-z_]/.test(text.charAt(end))) end++;
  return LOG_FIELDS.has(text.slice(at, end).toLowerCase());
}

/**
 * How far an unquoted value runs: one word (in a sentence); or over blanks and words with a colon
 * (`password=my pass phrase`, `password=my pass: phrase`, `password: correct horse: battery`) up
 * to a comma, `;`, a `name=` pair or the end of its line.
 */
type Run = 'word' | 'phrase';

/**
 * Where an unquoted value from `from` ends: at a line break, `;`, `<`, a backslash, a quote or a
 * bracket that closes one around the value (in a query string also at `&` and `#`), or before
 * the next pair (`password=abc user=bob`). It runs over blanks, commas and brackets (`correct
 * horse battery staple`, `p@ss,word`, `{S3cret}`); after an auth scheme, over its credential.
 */
function valueEnd(text: string, from: number, inQuery: boolean, run: Run): number {
  let end = from;
  let depth = 0;
  let first = true;
  let i = from;
  while (i < text.length) {
    const char = text.charAt(i);
    if (HARD_END.has(char) || (inQuery && (char === '&' || char === '#'))) break;
    // `"msg":"password=abc"` closes; `it's` does not
    if (isQuote(char) && !isNameChar(text.charCodeAt(i + 1))) break;
    if (isSoft(char, inQuery)) {
      let next = i + 1;
      while (next < text.length && isSoft(text.charAt(next), inQuery)) next++;
      const scheme =
        first && end - from <= 9 && AUTH_SCHEMES.includes(text.slice(from, end).toLowerCase());
      first = false;
      // past a blank only in a line of its own (`password: correct horse`), not in prose or SQL
      // (`Set the token: abc in your .env`, `user_id = 42 AND …`)
      // (a comma inside a word stays: `p@ss,word99`; one before other text ends it, as a
      // full-width comma does in CJK prose)
      const blank = /[ \t&]/.test(text.slice(i, next)) || !isNameChar(text.charCodeAt(next));
      const pair = pairSeparator(text, next);
      // a passphrase with a colon runs on, after `=` too (`correct horse: battery`); a list does
      // not (`a, b: c`), nor a log line's next field (`password=abc msg: login failed`)
      const listed = pair === ':' && (/[,&]/.test(text.slice(i, next)) || isLogField(text, next));
      if (!scheme && (pair === '=' || listed || (blank && run === 'word'))) break;
      i = next;
      continue;
    }
    if (char === '(' || char === '[' || char === '{') depth++;
    else if (char === ')' || char === ']' || char === '}') {
      if (depth === 0 && (i + 1 === text.length || AFTER_OUTER.has(text.charAt(i + 1)))) break;
      depth = Math.max(0, depth - 1);
    }
    i++;
    end = i;
  }
  return end;
}

/** The value starting at `from`: quoted, to the end of the line (`Cookie: a=1; b=2`), or unquoted. */
function valueAt(text: string, from: number, wholeLine: boolean, inQuery: boolean, run: Run): Hit {
  const quote = text.charAt(from);
  if (isQuote(quote)) return { from: from + 1, to: closingQuote(text, from + 1, quote) };
  if (!wholeLine) return { from, to: valueEnd(text, from, inQuery, run) };
  let to = from;
  while (to < text.length && !'\r\n"\\'.includes(text.charAt(to))) to++;
  return { from, to };
}

/** A command-line flag's value at `from`: quoted, or one shell word. */
export function wordAt(text: string, from: number): Hit {
  const quote = text.charAt(from);
  if (isQuote(quote)) return { from: from + 1, to: closingQuote(text, from + 1, quote) };
  let to = from;
  while (to < text.length && !WORD_END.has(text.charAt(to))) to++;
  return { from, to };
}

/** The name that ends right before `end` (one run of name characters), or undefined. */
function nameBefore(text: string, end: number): { from: number; name: string } | undefined {
  let from = end;
  while (from > 0 && end - from <= MAX_NAME && isNameChar(text.charCodeAt(from - 1))) from--;
  if (from === end || end - from > MAX_NAME) return undefined;
  let first = from;
  while (first < end && text.charCodeAt(first) === 45) first++;
  // a name starts with a letter or _ (after a command line's dashes)
  if (first === end || !startsName(text.charCodeAt(first))) return undefined;
  return { from, name: text.slice(first, end) };
}

/** The key before a separator. */
interface Key {
  /** Where the key starts, with its quote (`"password"`) and its prefix (`user[password]`). */
  readonly start: number;
  /** Where the name starts. */
  readonly from: number;
  /** The name judged: the last one in brackets (`user[password]`). */
  readonly name: string;
  /** The name with the word before it (`API key`), when a space parts them. */
  readonly phrase: string | undefined;
  /** Whether a plain `=` follows the key directly (`key=`, not `key =`, `key ?=` or `key=>`). */
  readonly attached: boolean;
}

/**
 * A name in brackets that ends at `close` (`user[password]`, `environ["API_TOKEN"]`), judged by
 * the name.
 */
function bracketKey(text: string, close: number, attached: boolean): Key | undefined {
  // or quoted, a subscript (`os.environ["API_TOKEN"]`, `$_ENV['db.password']`)
  const quote = isQuote(text[close - 1]) ? text.charAt(close - 1) : '';
  const end = close - quote.length;
  const inner = nameBefore(text, end);
  if (inner === undefined) return undefined;
  let open = inner.from;
  if (quote !== '') {
    while (open > 0 && end - open <= MAX_NAME && isKeyChar(text.charCodeAt(open - 1))) open--;
    if (text[open - 1] !== quote) return undefined;
    open--;
  }
  if (text[open - 1] !== '[') return undefined;
  let start = open - 1;
  while (start > 0 && close - start <= MAX_NAME && isKeyChar(text.charCodeAt(start - 1))) start--;
  return { start, from: inner.from, name: inner.name, phrase: undefined, attached };
}

/**
 * The key before the separator at `sep`: past `?` and `+` of `?=` and `+=` (Makefile), up to
 * MAX_GAP blanks, Markdown emphasis (`**Password**:`) and a quote.
 */
function keyAt(text: string, sep: number): Key | undefined {
  let end = sep;
  if (text[sep] === '=' && (text[sep - 1] === '?' || text[sep - 1] === '+')) end--;
  const gap = end;
  while (end > 0 && gap - end < MAX_GAP && isBlank(text, end - 1)) end--;
  const emphasis = end;
  while (end > 0 && emphasis - end < MAX_EMPHASIS && text[end - 1] === '*') end--;
  const attached = end === sep && text[sep] === '=' && text[sep + 1] !== '>';
  if (isQuote(text[end - 1])) end--;
  if (text[end - 1] === ']') return bracketKey(text, end - 1, attached);
  const found = nameBefore(text, end);
  if (found === undefined) return undefined;
  const start = isQuote(text[found.from - 1]) ? found.from - 1 : found.from;
  const before = text[found.from - 1] === ' ' ? nameBefore(text, found.from - 1) : undefined;
  const phrase = before === undefined ? undefined : `${before.name} ${found.name}`;
  return { start, from: found.from, name: found.name, phrase, attached };
}

/** Where the value after the separator at `sep` starts: past `=>`, `:=`, blanks and emphasis. */
function valueStart(text: string, sep: number): number {
  let i = sep + 1;
  if ((text[sep] === '=' && text[i] === '>') || (text[sep] === ':' && text[i] === '=')) i++;
  while (i < text.length && ' \t*_'.includes(text.charAt(i))) i++;
  return i;
}

/**
 * Whether a bind placeholder is the value at `from` (`= ?`, `= $1`; after a blank `= :pw` and
 * `= @p1`): a SQL statement's, with no value of its own.
 */
function isPlaceholder(text: string, from: number, spaced: boolean): boolean {
  const char = text[from];
  if (char !== '?' && char !== '$' && char !== '%' && !(spaced && (char === ':' || char === '@'))) {
    return false;
  }
  let end = from;
  while (
    end < text.length &&
    end - from <= MAX_NAME + 3 &&
    !' \t\r\n,;)'.includes(text.charAt(end))
  )
    end++;
  return isSqlPlaceholder(text.slice(from, end));
}

/** The end of the line at `i`: its line break or the end of the text. */
function lineEnd(text: string, i: number): number {
  while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
  return i;
}

/** The indentation of a YAML key starting at `from` (`- ` counts), or -1 if text precedes it. */
function keyIndent(text: string, from: number): number {
  let start = from;
  while (start > 0 && (text[start - 1] === ' ' || text[start - 1] === '-')) start--;
  return start === 0 || text[start - 1] === '\n' ? from - start : -1;
}

// A YAML key that opens a nested mapping (`auth:\n  user: ann`): its own keys are judged.
const MAPPING_KEY = /^[A-Za-z0-9_."'-]{1,64}:(?:[ \t]|$)/;

/**
 * A YAML value on the lines after its key (`password:\n  hunter2`, `secret: |\n  a\n  b`): the
 * lines indented deeper than the key, from `from` (the end of the key's line).
 */
function blockAfter(text: string, from: number, indent: number, block: boolean): Hit | undefined {
  let first = -1;
  let to = from;
  let i = from;
  while (i < text.length) {
    let start = i;
    if (text[start] === '\r') start++;
    if (text[start] === '\n') start++;
    if (start === i) break;
    let content = start;
    while (content < text.length && text[content] === ' ') content++;
    const blank = content === text.length || text[content] === '\n' || text[content] === '\r';
    if (!blank && content - start <= indent) break;
    const end = lineEnd(text, content);
    if (end > content && first < 0) {
      if (!block && MAPPING_KEY.test(text.slice(content, Math.min(end, content + 70)))) break;
      first = content;
    }
    if (end > content) to = end;
    i = end;
  }
  return first < 0 ? undefined : { from: first, to };
}

/**
 * Where the line of a YAML key ends when its value starts on the next line (`password:`,
 * `secret: |`), or -1.
 */
function blockStart(text: string, sep: number): number {
  if (text[sep] !== ':') return -1;
  let i = skipBlanks(text, sep + 1);
  if (text[i] === '|' || text[i] === '>') {
    i++;
    while (i < text.length && '-+0123456789'.includes(text.charAt(i))) i++;
    i = skipBlanks(text, i);
  }
  return i < text.length && text[i] !== '\n' && text[i] !== '\r' ? -1 : i;
}

/** The value on the lines after the YAML key at `start` whose line ends at `end`. */
function yamlValue(text: string, sep: number, end: number, start: number): Hit | undefined {
  const indicator = text[skipBlanks(text, sep + 1)];
  const indent = keyIndent(text, start);
  return indent < 0
    ? undefined
    : blockAfter(text, end, indent, indicator === '|' || indicator === '>');
}

/**
 * What pairs tell about pairs near them: the last `name` or `key` pair whose value names a secret
 * (`name: DB_PASSWORD`), for the `value` after it, and the last `value` pair, for a name after it
 * (`{"value":"…","name":"DB_PASSWORD"}`).
 */
interface Link {
  /** Where the secret's name ends; -1: there is none. */
  at: number;
  /** The indentation of the pair's key when it starts a line (YAML), else -1. */
  indent: number;
  /** The last `value` pair not linked to a name: where its key and its value start; -1: none. */
  valueKey: number;
  valueFrom: number;
  /** Whether that value is a query string's (`?value=…&name=…`), where `&` ends it. */
  valueInQuery: boolean;
  /** Values found before their name, not yet among the hits. */
  readonly earlier: Hit[];
  /** Where a length bound cut the text (see `truncate`), or -1. */
  readonly cut: number;
}

/** Where a value that names a secret (`DB_PASSWORD`, `"api_key"`) at `from` ends, or -1. */
function secretNameEnd(text: string, from: number, names: SecretNames): number {
  const quote = text.charAt(from);
  const start = isQuote(quote) ? from + 1 : from;
  let end = start;
  while (end - start <= MAX_NAME && isKeyChar(text.charCodeAt(end))) end++;
  if (end === start || end - start > MAX_NAME) return -1;
  const closed = isQuote(quote)
    ? text[end] === quote
    : end === text.length || ' \t\r\n,;}&'.includes(text.charAt(end));
  return closed && names.isSecretKey(text.slice(start, end)) ? end : -1;
}

/**
 * Whether `text[from, start)` stays in one object (no brace) or YAML list item (no line indented
 * less than `indent`, and the key at `start` indented as much); `indent` -1: not YAML.
 */
function sameItem(text: string, from: number, start: number, indent: number): boolean {
  let lines = 0;
  for (let i = from; i < start; i++) {
    if (text[i] === '{' || text[i] === '}') return false;
    if (text[i] !== '\n') continue;
    lines++;
    let content = i + 1;
    while (content < start && text[content] === ' ') content++;
    if (content - i - 1 < indent) return false;
  }
  return lines === 0 || indent < 0 || keyIndent(text, start) === indent;
}

/** Whether the `value` key at `start` goes with the linked name: shortly after it, in its item. */
function isLinked(text: string, link: Link, start: number): boolean {
  if (link.at < 0 || start < link.at || start - link.at > LINK_WINDOW) return false;
  return sameItem(text, link.at, start, link.indent);
}

/**
 * The value of the last `value` pair, when it goes with the secret name whose key starts at
 * `start`: shortly before it, in its item (`{"value":"…","name":"DB_PASSWORD"}`, `- value: …`
 * then `  name: API_KEY`). Read no further than that key, so each pair is read a bounded way.
 * At a `cut` (`start` is where a length bound cut the text) the name may be what went: a value
 * shortly before it, in its object, goes too.
 */
function valueBefore(text: string, link: Link, start: number, cut = false): Hit | undefined {
  const key = link.valueKey;
  link.valueKey = -1;
  if (key < 0 || start - key > LINK_WINDOW) return undefined;
  const from = link.valueFrom;
  const part = text.slice(from, start);
  // a YAML block (`value: |`, or the value on the next lines): its lines up to the name's
  const block = part !== '' && '|>\r\n'.includes(part.charAt(0));
  const value = block
    ? {
        from: part.length - part.slice(lineEnd(part, 0)).trimStart().length,
        to: part.trimEnd().length,
      }
    : valueAt(part, 0, false, link.valueInQuery, 'phrase');
  const to = from + value.to;
  const indent = cut ? -1 : keyIndent(text, key);
  if (value.to <= value.from || !sameItem(text, to, start, indent)) return undefined;
  return { from: from + value.from, to };
}

/**
 * Whether a name that is a secret only as a query parameter (`code`, `key`, `sig`, `session`,
 * `sid`) stands in one, besides after `?`, `&` and `#`: after a `;` (a cookie list), or with its
 * value in quotes (an attribute, `<add key="…"`).
 */
function inParams(text: string, start: number, from: number): boolean {
  const before = text.charAt(start - 1);
  return before === ';' || (before === ' ' && text[start - 2] === ';') || isQuote(text[from]);
}

/**
 * Whether the name at `start` begins its line (after indentation, a YAML `- ` or a quote) or a
 * connection-string field (after `;`): then its unquoted value may hold blanks, up to the next
 * pair or the line's end. A name in a sentence or under Markdown emphasis has a one-word value.
 */
function ownsLine(text: string, start: number): boolean {
  let i = start;
  // the whole key (`db.password`, `user[password]`)
  while (i > 0 && start - i <= MAX_NAME && isKeyChar(text.charCodeAt(i - 1))) i--;
  if (isQuote(text[i - 1])) i--;
  while (i > 0 && (text[i - 1] === ' ' || text[i - 1] === '\t' || text[i - 1] === '-')) i--;
  const before = text.charAt(i - 1);
  return i === 0 || before === '\n' || before === '\r' || before === ';';
}

// How far a value in the middle of a line may run as a passphrase.
const MAX_PHRASE = 128;
// What prose, SQL and code have after a value, and a passphrase to the end of its line has not
// (a colon before a blank it may have: `correct horse: battery staple`).
const NOT_PHRASE = /[.,;!?=()'"`<>{}[\]]|:(?![ \t])/;

/**
 * Whether the rest of the line from `from`, up to the next `name=` pair, reads as one passphrase
 * (`failed: password: correct horse battery staple`, `op password=correct horse: staple
 * user=ann`): short, and without the punctuation of a sentence, a statement or code (`Set the
 * token: abc in your .env, then restart.`, `user_id = 42 AND status = 'paid'`).
 */
function barePhrase(text: string, from: number): boolean {
  // a bounded look for the line's end (an unbounded one per pair would be quadratic)
  let end = from;
  let equals = false;
  while (
    end < text.length &&
    end - from <= MAX_PHRASE &&
    text[end] !== '\n' &&
    text[end] !== '\r'
  ) {
    if (text[end] === '=') equals = true;
    end++;
  }
  // where a phrase run stops (see `valueEnd`): a `name=` pair, looked for only when the line has
  // an `=` (a pair test at every blank made a long run of words three to five times slower)
  for (let i = from + 1; equals && i < end; i++) {
    if (isBlank(text, i - 1) && pairSeparator(text, i) === '=') end = i;
  }
  return end - from <= MAX_PHRASE && !NOT_PHRASE.test(text.slice(from, end));
}

/** Whether the pair of the key at `start` is a query string's (`?a=1&b=2`): `&` ends its value. */
function inQueryAt(text: string, sep: number, start: number): boolean {
  const before = text.charAt(start - 1);
  return text[sep] === '=' && before !== '' && '?&#'.includes(before);
}

// Keys whose value names the secret in a `value` key beside them.
const NAME_KEYS = new Set(['name', 'key', 'parameterkey', 'parametername']);

/**
 * Keeps `link` up to date with the pair of `key` (its value at `from`), and adds a value written
 * before its name to `link.earlier`; whether the pair is the `value` of a secret name
 * (`value`, CloudFormation's `ParameterValue` after `ParameterKey`).
 */
function linkPair(
  text: string,
  sep: number,
  key: Key,
  from: number,
  names: SecretNames,
  link: Link,
): boolean {
  const lower = key.name.toLowerCase();
  if (lower.endsWith('value')) {
    if (isLinked(text, link, key.start)) {
      link.at = -1;
      return true;
    }
    link.valueKey = key.start;
    link.valueFrom = from;
    link.valueInQuery = inQueryAt(text, sep, key.start);
  } else if (NAME_KEYS.has(lower)) {
    link.at = secretNameEnd(text, from, names);
    link.indent = link.at < 0 ? -1 : keyIndent(text, key.start);
    const earlier = link.at < 0 ? undefined : valueBefore(text, link, key.start);
    if (earlier !== undefined) {
      link.earlier.push(earlier);
      link.at = -1;
    }
    // another name owns the value before it, unless a cut took that name (`"name":"[TRUNC…`)
    if (link.at < 0 && (link.cut < 0 || from < link.cut - 1)) link.valueKey = -1;
  }
  return false;
}

/** The secret value for the separator at `sep`, if the name before it is a secret. */
function pairAt(text: string, sep: number, names: SecretNames, link: Link): Hit | undefined {
  const key = keyAt(text, sep);
  if (key === undefined) return undefined;
  const from = valueStart(text, sep);
  const lower = key.name.toLowerCase();
  const linked = linkPair(text, sep, key, from, names, link);
  const byName =
    linked ||
    names.isSecretKey(key.name) ||
    (key.phrase !== undefined && names.isSecretKey(key.phrase));
  // `code`, `key`, `sig`: secrets only in a query string (`code: 503`, `key=order-42` are none)
  const param = !byName && key.attached && names.isSecretParam(key.name);
  if (!byName && !param) return undefined;
  const inQuery = inQueryAt(text, sep, key.start);
  const known = byName || inQuery || inParams(text, key.start, from);
  // a text that is one query (`code=abc&state=x`) is told by where its first value ends
  if (!known && key.start > 0) return undefined;
  if (isPlaceholder(text, from, text[sep] === '=' && isBlank(text, from - 1))) return undefined;
  const end = blockStart(text, sep);
  if (end >= 0) return yamlValue(text, sep, end, key.start);
  // a JSON object as the value (`"adminPassword":{"value":"…"}`, OTLP's `{"stringValue":"…"}`)
  if (text[from] === '{' && (byName || linked)) return objectStrings(text, from);
  const wholeLine = lower.endsWith('authorization') || lower.endsWith('cookie');
  const phrase = ownsLine(text, key.start) || barePhrase(text, from);
  const value = valueAt(text, from, wholeLine, inQuery, phrase ? 'phrase' : 'word');
  if (value.to <= value.from) return undefined;
  const after = text.charAt(value.to);
  return known || after === '' || after === '&' || after === ';' ? value : undefined;
}

// Translation calls, whose first argument is a label or a message id and the next ones a text
// domain, a context or a plural: no name and value. WordPress's and gettext's (by their exact
// names: `mygettext` is any function) keep their arguments when the second reads as a domain
// (`__('Password', 'my-plugin')`), a context (`_x('Token', 'noun', 'td')`, `_x('Password', 'input
// label', 'td')`) or the label again (`_n('Password', 'Passwords', 2)`).
const DOMAIN_TRANSLATIONS = new Set([
  ...['__', '_e', '_x', '_ex', '_n', '_nx', '_n_noop', '_nx_noop'],
  ...['esc_html__', 'esc_html_e', 'esc_html_x', 'esc_attr__', 'esc_attr_e', 'esc_attr_x'],
  ...['gettext', 'dgettext', 'dcgettext', 'ngettext', 'dngettext', 'dcngettext', 'pgettext'],
  ...['dpgettext', 'dcpgettext', 'npgettext', 'dnpgettext', 'dcnpgettext', 'ugettext'],
  ...['ungettext', 'gettext_lazy', 'ugettext_lazy', 'ngettext_lazy', 'pgettext_lazy'],
  ...['npgettext_lazy', 'gettext_noop', 'ugettext_noop'],
]);
// Those whose second argument is the plural of the first: kept only when it is the label again,
// maybe in the plural (`ngettext('password', 'hunter', 2)` is masked).
const PLURAL_TRANSLATIONS = new Set([
  ...['_n', '_nx', '_n_noop', '_nx_noop', 'ngettext', 'ungettext', 'ngettext_lazy'],
]);
// Those whose second argument is a context, and the third a text domain.
const CONTEXT_TRANSLATIONS = new Set(['_x', '_ex', 'esc_html_x', 'esc_attr_x']);
// Names any object's method or function may have (`t`, `store.t`, `_`, `tr`, `trans`): their
// second argument is kept only when it is the label again (`i18n.t('password', 'Password')`) or a
// locale (`i18n.t('password', 'fr')`); `t('password', 'hunter2')` may set a secret as well as
// translate.
const LABEL_TRANSLATIONS = new Set([
  ...['_', '_l', 't', '$t', '_t', 'tc', 'tr', 'qstr', 'trans', 'trans_choice', 'translate'],
  'formatmessage',
]);
// A text domain or a context: lowercase words parted by `-` or `_`, no digits.
const TEXT_DOMAIN = /^[a-z]{1,32}(?:[-_][a-z]{1,32}){0,4}$/;
// A context of words parted by blanks (`input label`), for `_x` and its kin.
const CONTEXT = /^[a-z]{1,32}(?: [a-z]{1,32}){1,5}$/;
// A two-letter locale (`fr`, `pt-BR`).
const LOCALE = /^[a-z]{2}(?:[-_][A-Za-z]{2})?$/;
// How far a third argument (a text domain) is read.
const MAX_DOMAIN = 200;

/** A label or its repetition, compared: lowercase, no blanks, `_`, `-`, `.`, trailing `:`. */
function labelForm(text: string): string {
  return text
    .toLowerCase()
    .replace(/:\s*$/, '')
    .replace(/[\s_.-]/g, '');
}

/**
 * Whether `value` repeats the label `name`: the same, ignoring case, blanks, `_`, `-`, `.` and a
 * trailing `:`, as the name whole or its last segment (`login.password`), maybe in the plural;
 * nothing more (`Password123`, `API-KEY-1`, `Secret#2024` are no label).
 */
function repeatsLabel(name: string, value: string): boolean {
  const again = labelForm(value);
  if (again === '') return false;
  const last = labelForm(name.slice(Math.max(name.lastIndexOf('.'), name.lastIndexOf(':')) + 1));
  const whole = labelForm(name);
  return [whole, last].some((label) => label !== '' && (again === label || again === `${label}s`));
}

/** The third argument of a call, quoted, after the second's closing quote at `close`. */
function thirdArgument(text: string, close: number): string | undefined {
  let i = skipBlanks(text, close + 1);
  if (text[i] !== ',') return undefined;
  i = skipBlanks(text, i + 1);
  const quote = text.charAt(i);
  if (!isQuote(quote)) return undefined;
  let end = i + 1;
  while (end < text.length && end - i <= MAX_DOMAIN && text[end] !== quote) end++;
  return text[end] === quote ? text.slice(i + 1, end) : undefined;
}

/**
 * Whether `callee(name, value)` translates a label rather than setting `name` to `value`: a
 * translation whose second argument cannot be a secret (a text domain, a context, a locale, the
 * label again); `close` is the second argument's closing quote.
 */
function translates(
  callee: string,
  name: string,
  value: string,
  text: string,
  close: number,
): boolean {
  const domain = DOMAIN_TRANSLATIONS.has(callee);
  if (!domain && !LABEL_TRANSLATIONS.has(callee)) return false;
  if (repeatsLabel(name, value)) return true;
  if (!domain) return LOCALE.test(value);
  if (PLURAL_TRANSLATIONS.has(callee)) return false;
  if (TEXT_DOMAIN.test(value)) return true;
  if (!CONTEXT_TRANSLATIONS.has(callee) || !CONTEXT.test(value)) return false;
  const third = thirdArgument(text, close);
  return third !== undefined && TEXT_DOMAIN.test(third);
}

/**
 * The callee of the call whose arguments the `(` at `paren` opens: a name right before it
 * (`define(`, `os.Setenv(`), not SQL's `IN (` nor `IN(`, whose items are no name and value.
 */
function calleeAt(text: string, paren: number): string | undefined {
  const callee = nameBefore(text, paren)?.name.toLowerCase();
  return callee === 'in' ? undefined : callee;
}

/**
 * The second argument of a call whose first names a secret, both quoted: `define('AUTH_KEY',
 * '…')` (PHP), `setenv("DB_PASSWORD", "…")`, `os.Setenv("API_TOKEN", "…")`,
 * `props.setProperty("db.password", "…")`; `sep` is the comma between them.
 */
function callValue(text: string, sep: number, names: SecretNames): Hit | undefined {
  let end = sep;
  while (end > 0 && sep - end < MAX_GAP && isBlank(text, end - 1)) end--;
  const quote = text.charAt(end - 1);
  if (!isQuote(quote)) return undefined;
  const close = end - 1;
  let open = close;
  while (open > 0 && close - open <= MAX_NAME && isKeyChar(text.charCodeAt(open - 1))) open--;
  if (open === close || text[open - 1] !== quote) return undefined;
  let paren = open - 1;
  while (paren > 0 && open - 1 - paren < MAX_GAP && isBlank(text, paren - 1)) paren--;
  const callee = text[paren - 1] === '(' ? calleeAt(text, paren - 1) : undefined;
  if (callee === undefined) return undefined;
  const from = skipBlanks(text, sep + 1);
  const valueQuote = text.charAt(from);
  const name = text.slice(open, close);
  if (!isQuote(valueQuote) || !names.isSecretKey(name)) return undefined;
  const to = closingQuote(text, from + 1, valueQuote);
  if (to <= from + 1 || translates(callee, name, text.slice(from + 1, to), text, to))
    return undefined;
  return { from: from + 1, to };
}

// How far a JSON object value of a secret name is read.
const MAX_OBJECT = 4096;

/**
 * The string values inside the JSON object at `from` (the object a secret name holds), as one
 * span from the first to the last, or the object whole when it has none; bounded by MAX_OBJECT.
 */
function objectStrings(text: string, from: number): Hit {
  let depth = 0;
  let first = -1;
  let last = -1;
  let afterColon = false;
  const limit = Math.min(text.length, from + MAX_OBJECT);
  let i = from;
  for (; i < limit; i++) {
    const char = text[i];
    if (char === '"') {
      const close = closingQuote(text, i + 1, '"');
      if (afterColon) {
        if (first < 0) first = i + 1;
        last = close;
      }
      i = close;
      afterColon = false;
    } else if (char === ':') {
      afterColon = true;
    } else if (char === '{' || char === '[') {
      depth++;
    } else if (char === '}' || char === ']') {
      depth--;
      if (depth === 0) break;
    } else if (char === ',') {
      afterColon = false;
    }
  }
  return first < 0 ? { from: from + 1, to: i } : { from: first, to: last };
}

/** The lesser of two positions that are not -1, or -1. */
function first(a: number, b: number): number {
  return a < 0 ? b : b < 0 ? a : Math.min(a, b);
}

/**
 * `name=value` and `name: value` pairs whose name is a secret, and calls whose first argument
 * names one (`define('AUTH_KEY', '…')`): the values.
 */
export function keyValueHits(text: string, names: SecretNames): Hit[] {
  const hits: Hit[] = [];
  const link: Link = {
    at: -1,
    indent: -1,
    valueKey: -1,
    valueFrom: -1,
    valueInQuery: false,
    earlier: [],
    cut: cutAt(text),
  };
  let eq = text.indexOf('=');
  let colon = text.indexOf(':');
  // a call's arguments are parted by commas
  let comma = text.includes('(') ? text.indexOf(',') : -1;
  let from = 0;
  while (eq >= 0 || colon >= 0 || comma >= 0) {
    const sep = first(first(eq, colon), comma);
    const hit = sep === comma ? callValue(text, sep, names) : pairAt(text, sep, names, link);
    if (hit !== undefined) hits.push(hit);
    from = hit === undefined ? sep + 1 : Math.max(hit.to, sep + 1);
    if (eq >= 0 && eq < from) eq = text.indexOf('=', from);
    if (colon >= 0 && colon < from) colon = text.indexOf(':', from);
    if (comma >= 0 && comma < from) comma = text.indexOf(',', from);
  }
  // a cut (see `truncate`) may have dropped the name after the last `value`: it goes too
  const beforeCut = link.cut < 0 ? undefined : valueBefore(text, link, link.cut, true);
  if (beforeCut !== undefined) link.earlier.push(beforeCut);
  return link.earlier.length === 0 ? hits : sortedJoined([...hits, ...link.earlier]);
}

// Short flags that take a password in the tools that print or log their command lines, by the
// command's name: `mysql -pS3cret` (only attached: `-p db` prompts and names a database),
// `redis-cli -a pw`, `sqlcmd -P pw`, `docker login -p pw`, `mongosh -p pw`. (`curl -u user:pw`
// is a user flag: the part after its colon goes.)
/** A tool's short password flag, and whether its value is attached (`-pS3cret`). */
interface Tool {
  readonly flag: string;
  readonly attached: boolean;
}

const SHORT_FLAGS: Readonly<Record<string, Tool>> = {
  mysql: { flag: 'p', attached: true },
  mysqldump: { flag: 'p', attached: true },
  mysqladmin: { flag: 'p', attached: true },
  mariadb: { flag: 'p', attached: true },
  'redis-cli': { flag: 'a', attached: false },
  sqlcmd: { flag: 'P', attached: false },
  bcp: { flag: 'P', attached: false },
  mongosh: { flag: 'p', attached: false },
  mongo: { flag: 'p', attached: false },
};
// Commands whose short password flag only holds under a subcommand (`docker run -p` is a port).
const LOGIN_COMMANDS = new Set(['docker', 'podman', 'nerdctl', 'buildah', 'skopeo', 'helm']);
// Flags whose value is `user:password` (curl, wget, httpie): the part after the colon goes.
const USER_FLAGS = new Set(['-u', '--user', '--proxy-user', '--http-user', '--auth', '-a']);
// What ends a command on a line: the next one starts after it.
const COMMAND_BREAKS = new Set(['\n', '\r', '|', ';', '&']);

// The tools above by name (after a path, in a message such as "Command failed: mysql …"),
// and the registry clients under `login`.
// (global: one text is read with it at a time, from `toolsOf`)
const TOOL = new RegExp(
  `(?<![A-Za-z0-9_.-])(?:(${Object.keys(SHORT_FLAGS).join('|')})|(${[...LOGIN_COMMANDS].join('|')})[ \\t]+login)(?=[\\s'"]|$)`,
  'g',
);
// The password flag under `login` (`docker login -p`).
const LOGIN_FLAG: Tool = { flag: 'p', attached: false };

/**
 * The tools named in a text, read once from left to right: `at(i)` is the tool of the command
 * that position `i` is in (the last tool named before it, with no command break in between).
 */
function toolsOf(text: string): { at(i: number, commandFrom: number): Tool | undefined } {
  TOOL.lastIndex = 0;
  let next: RegExpExecArray | null | undefined;
  let lastAt = -1;
  let last: Tool | undefined;
  return {
    at(i, commandFrom) {
      for (;;) {
        if (next === undefined) next = TOOL.exec(text);
        if (next === null || next.index >= i) break;
        lastAt = next.index;
        last = next[1] !== undefined ? SHORT_FLAGS[next[1]] : LOGIN_FLAG;
        next = undefined;
      }
      return lastAt >= commandFrom - 1 ? last : undefined;
    },
  };
}

/** The password part of `user:password` at `value`, or undefined without a colon. */
function afterUser(text: string, value: number): Hit | undefined {
  const word = wordAt(text, value);
  // within the word: an unbounded look would make a run of `-u x` quadratic
  const colon = text.slice(word.from, word.to).indexOf(':');
  return colon >= 0 && word.from + colon < word.to - 1
    ? { from: word.from + colon + 1, to: word.to }
    : undefined;
}

/**
 * Secrets on a command line: the value after a secret flag (`--password hunter2`, Java's
 * `-storepass hunter2`), the password of a `user:password` flag (`curl -u admin:pw`), and the
 * short password flags of database and registry tools (`mysql -pS3cret`, `redis-cli -a pw`).
 */
export function flagValueHits(text: string, names: SecretNames): Hit[] {
  const hits: Hit[] = [];
  // where the current command starts, and the tools named so far (both read once: linear)
  let commandFrom = 0;
  let tools: ReturnType<typeof toolsOf> | undefined;
  let scanned = 0;
  let dash = text.indexOf('-');
  while (dash >= 0) {
    for (; scanned < dash; scanned++) {
      if (COMMAND_BREAKS.has(text.charAt(scanned))) {
        commandFrom = scanned + 1;
      }
    }
    const dashes = text.charCodeAt(dash + 1) === 45 ? 2 : 1;
    let end = dash + dashes;
    while (end < text.length && end - dash <= MAX_NAME && isNameChar(text.charCodeAt(end))) end++;
    const before = dash === 0 ? 0 : text.charCodeAt(dash - 1);
    const name = text.slice(dash + dashes, end);
    const flag = text.slice(dash, end);
    let hit: Hit | undefined;
    if (!isNameChar(before) && /^[A-Za-z]/.test(name)) {
      const value = skipBlanks(text, end);
      const first = text.charAt(value);
      const spaced = value > end && first !== '' && first !== '-';
      const valueStarts = spaced && (isQuote(first) || !WORD_END.has(first));
      if (USER_FLAGS.has(flag) && valueStarts) hit = afterUser(text, value);
      if (hit !== undefined) {
        // the password of `user:password`
      } else if ((dashes === 2 || name.length > 1) && valueStarts && names.isSecretParam(name)) {
        hit = wordAt(text, value);
      } else if (dashes === 1) {
        tools ??= toolsOf(text);
        const tool = tools.at(dash, commandFrom);
        if (tool !== undefined && name.startsWith(tool.flag)) {
          if (tool.attached && name.length > 1) hit = wordAt(text, dash + 2);
          else if (!tool.attached && name.length === 1 && valueStarts) hit = wordAt(text, value);
        }
      }
    }
    if (hit !== undefined && hit.to > hit.from) {
      hits.push(hit);
      end = Math.max(end, hit.to);
    }
    dash = text.indexOf('-', Math.max(end, dash + 1));
  }
  return hits;
}

// How far a start tag may run from its name to its `>` (`<Password xsi:type="string">`).
const MAX_TAG = 256;

function isTagNameChar(code: number): boolean {
  return isNameChar(code) || code === 58 || code === 46;
}

/** The text of the element whose start tag ends at `close` (`>`): CDATA or up to the next tag. */
function elementText(text: string, close: number): Hit | undefined {
  let from = close + 1;
  let to: number;
  if (text.startsWith('<![CDATA[', from)) {
    from += 9;
    to = text.indexOf(']]>', from);
  } else {
    to = text.indexOf('<', from);
  }
  if (to < 0) to = text.length;
  // whitespace before a child element is not the value
  return text.slice(from, to).trim() === '' ? undefined : { from, to };
}

/** The quoted value of the attribute `attr` inside the start tag `text[from, to)` (short). */
function attributeValue(text: string, from: number, to: number, attr: string): Hit | undefined {
  const tag = text.slice(from, to).toLowerCase();
  let at = tag.indexOf(`${attr}=`);
  while (at > 0 && isNameChar(tag.charCodeAt(at - 1))) at = tag.indexOf(`${attr}=`, at + 1);
  const quote = tag.charAt(at + attr.length + 1);
  if (at < 0 || (quote !== '"' && quote !== "'")) return undefined;
  const start = at + attr.length + 2;
  const close = tag.indexOf(quote, start);
  return close <= start ? undefined : { from: from + start, to: from + close };
}

/** `<add key="ApiKey" value="…"/>`, `<property name="password" value="…"/>`: the value. */
function namedValue(text: string, from: number, to: number, names: SecretNames): Hit | undefined {
  const named = attributeValue(text, from, to, 'key') ?? attributeValue(text, from, to, 'name');
  if (named === undefined || !names.isSecretKey(text.slice(named.from, named.to))) return undefined;
  return attributeValue(text, from, to, 'value');
}

/**
 * `<Password>value</Password>` (XML, SOAP) whose element name is a secret: the text; and the
 * `value` attribute of an element whose `key` or `name` attribute is one.
 */
export function elementHits(text: string, names: SecretNames): Hit[] {
  const hits: Hit[] = [];
  let open = text.indexOf('<');
  while (open >= 0) {
    let next = open + 1;
    let end = next;
    // `<ns:Password>` is judged by `Password`
    let local = next;
    while (end < text.length && end - open <= MAX_NAME && isTagNameChar(text.charCodeAt(end))) {
      if (text.charCodeAt(end) === 58) local = end + 1;
      end++;
    }
    let close = end;
    while (close < text.length && close - end <= MAX_TAG && !'<>'.includes(text.charAt(close))) {
      close++;
    }
    // `key="a" value="b"` has at least 16 characters
    const attribute =
      text[close] === '>' && close - end >= 16 ? namedValue(text, end, close, names) : undefined;
    if (attribute !== undefined) hits.push(attribute);
    const first = text.charCodeAt(local) | 0x20;
    if (text[close] === '>' && text[close - 1] !== '/' && first >= 97 && first <= 122) {
      const hit = names.isSecretKey(text.slice(local, end)) ? elementText(text, close) : undefined;
      if (hit !== undefined) {
        hits.push(hit);
        next = hit.to;
      }
    }
    open = text.indexOf('<', next);
  }
  return hits;
}

// How far a multipart part's headers may run, and a table cell holding a name.
const MAX_PART_HEADERS = 1024;
const MAX_CELL = 64;

// The field name of a part: quoted or, as some clients and servers write it, a bare token
// (`name=password`); parameter names are case-insensitive (`Name=`).
const PART_NAME = /;\s*name=(?:"([^"]{1,64})"|'([^']{1,64})'|([^\s"';]{1,64}))/i;

/**
 * The value of a multipart form field with a secret name (`Content-Disposition: form-data;
 * name="password"` or `name=password`, a blank line, then the value up to the next boundary line).
 */
export function multipartHits(text: string, names: SecretNames): Hit[] {
  const hits: Hit[] = [];
  let at = text.indexOf('form-data');
  while (at >= 0) {
    const line = lineEnd(text, at);
    const header = text.slice(at, Math.min(line, at + MAX_PART_HEADERS));
    const field = PART_NAME.exec(header);
    const name = field?.[1] ?? field?.[2] ?? field?.[3];
    let next = line;
    if (name !== undefined && names.isSecretParam(name)) {
      // the part's other headers, then the blank line (looked for within a bounded stretch)
      const found = /\r?\n\r?\n/.exec(text.slice(line, line + MAX_PART_HEADERS));
      if (found !== null) {
        const from = line + found.index + found[0].length;
        const boundary = text.indexOf('\n--', from);
        let to = boundary < 0 ? text.length : boundary;
        if (text[to - 1] === '\r') to--;
        if (to > from) hits.push({ from, to });
        next = Math.max(to, line);
      }
    }
    at = text.indexOf('form-data', next + 1);
  }
  return hits;
}

/** A table cell's text without blanks and Markdown emphasis around it. */
function cellText(text: string, from: number, to: number): Hit {
  while (from < to && ' \t*_`'.includes(text.charAt(from))) from++;
  while (to > from && ' \t*_`'.includes(text.charAt(to - 1))) to--;
  return { from, to };
}

/** The cells of the table row `text[from, to)` (`| a | b |`, psql's ` a | b `). */
function rowCells(text: string, from: number, to: number): Hit[] {
  const cells: Hit[] = [];
  let start = from;
  for (let i = from; i <= to; i++) {
    if (i < to && text[i] !== '|') continue;
    cells.push(cellText(text, start, i));
    start = i + 1;
  }
  // the empty cells outside a Markdown row's outer bars
  if (cells.length > 0 && cells[0]!.from === cells[0]!.to) cells.shift();
  if (cells.length > 0 && cells.at(-1)!.from === cells.at(-1)!.to) cells.pop();
  return cells;
}

/** Whether a line is a table's header rule (`|---|:--:|`, psql's `----+----`). */
function isRule(text: string, from: number, to: number): boolean {
  const line = text.slice(from, to);
  return line.includes('---') && /^[\s|:+-]+$/.test(line);
}

/**
 * Table rows of a name and its value (`| Password | hunter2 |`: two cells, the first a secret
 * name, the second one word), and the cells under a secret column of a table with a header rule
 * (`| user | password |` then `|---|---|`, and psql's output). Tables with more columns, whose
 * second cell is a type or a count, and pipes in a log line or a shell command stay.
 */
export function tableCellHits(text: string, names: SecretNames): Hit[] {
  const hits: Hit[] = [];
  let secretColumns: boolean[] | undefined;
  let start = 0;
  while (start < text.length) {
    const end = lineEnd(text, start);
    const line = text.slice(start, end);
    const next = end + (text[end] === '\r' && text[end + 1] === '\n' ? 2 : 1);
    if (isRule(text, start, end)) {
      // the rule under a header (psql's has no bar: `----+----`): read with the header
    } else if (!line.includes('|')) {
      secretColumns = undefined;
    } else if (secretColumns !== undefined) {
      rowCells(text, start, end).forEach((cell, i) => {
        if (secretColumns?.[i] === true && cell.to > cell.from) hits.push(cell);
      });
    } else {
      const cells = rowCells(text, start, end);
      const ruleEnd = lineEnd(text, next);
      if (next < text.length && isRule(text, next, ruleEnd)) {
        const secret = cells.map((c) => names.isSecretKey(text.slice(c.from, c.to)));
        secretColumns = secret.includes(true) ? secret : undefined;
      } else if (cells.length === 2 && line.trimStart().startsWith('|')) {
        const [name, value] = cells as [Hit, Hit];
        const word = text.slice(value.from, value.to);
        const named =
          name.to - name.from <= MAX_CELL && names.isSecretKey(text.slice(name.from, name.to));
        if (named && word !== '' && !/\s/.test(word)) hits.push(value);
      }
    }
    start = next;
  }
  return hits;
}
