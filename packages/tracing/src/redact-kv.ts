// Secrets named by what precedes them: `name=value`, `name: value` and `name => value` (query
// strings, headers, JSON, connection strings, environment dumps, Ruby and PHP) and `--name value` on a command line. A scanner by
// hand, from each separator: it looks back over at most one name, so it stays linear.
import type { SecretNames } from './redact-names.js';
import type { Hit } from './redact-rules.js';

// Auth schemes whose credential follows after a space (`Authorization: Bearer …`).
export const AUTH_SCHEMES = ['bearer', 'basic', 'digest', 'token', 'negotiate'];
const MAX_NAME = 64;
// Characters that end a value in `name=value` (a query string, a header list, JSON).
const VALUE_END = new Set([...' \t\r\n&;,"\'<>()[]{}|\\`']);

function isNameChar(code: number): boolean {
  return (
    (code >= 48 && code <= 57) ||
    (code >= 65 && code <= 90) ||
    (code >= 97 && code <= 122) ||
    code === 95 ||
    code === 45
  );
}

function isBlank(text: string, i: number): boolean {
  return text[i] === ' ' || text[i] === '\t';
}

function isValueChar(text: string, i: number, inQuery: boolean): boolean {
  const char = text.charAt(i);
  return i < text.length && !VALUE_END.has(char) && !(inQuery && char === '#');
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

/**
 * The value starting at `from`: quoted, to the end of the line (`Cookie: a=1; b=2`), or one word
 * with the credential after an auth scheme. In a query string a `#` ends it too (a password in
 * free text may hold one; a URL's would be percent-encoded).
 */
function valueAt(text: string, from: number, wholeLine: boolean, inQuery: boolean): Hit {
  const quote = text[from];
  if (quote === '"' || quote === "'") {
    return { from: from + 1, to: closingQuote(text, from + 1, quote) };
  }
  let to = from;
  if (wholeLine) {
    while (to < text.length && !'\r\n"\\'.includes(text.charAt(to))) to++;
    return { from, to };
  }
  while (isValueChar(text, to, inQuery)) to++;
  const next = skipBlanks(text, to);
  const scheme = text.slice(from, to).toLowerCase();
  if (next > to && isValueChar(text, next, inQuery) && AUTH_SCHEMES.includes(scheme)) {
    to = next;
    while (isValueChar(text, to, inQuery)) to++;
  }
  return { from, to };
}

/** The name that ends right before `end` (one run of name characters), or undefined. */
function nameBefore(text: string, end: number): { from: number; name: string } | undefined {
  let from = end;
  while (from > 0 && end - from <= MAX_NAME && isNameChar(text.charCodeAt(from - 1))) from--;
  if (from === end || end - from > MAX_NAME) return undefined;
  let first = from;
  while (first < end && text.charCodeAt(first) === 45) first++;
  const lower = text.charCodeAt(first) | 0x20;
  // a name starts with a letter or _ (after a command line's dashes)
  const letter = lower >= 97 && lower <= 122;
  if (first === end || !(letter || text.charCodeAt(first) === 95)) return undefined;
  return { from, name: text.slice(first, end) };
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

/** A value that starts on the next line, when `sep` is the colon of a YAML key at `nameFrom`. */
function yamlValue(text: string, sep: number, nameFrom: number): Hit | undefined {
  if (text[sep] !== ':') return undefined;
  let i = skipBlanks(text, sep + 1);
  const block = text[i] === '|' || text[i] === '>';
  if (block) {
    i++;
    while (i < text.length && '-+0123456789'.includes(text.charAt(i))) i++;
    i = skipBlanks(text, i);
  }
  if (i < text.length && text[i] !== '\n' && text[i] !== '\r') return undefined;
  const quoted = text[nameFrom - 1] === '"' || text[nameFrom - 1] === "'";
  const indent = keyIndent(text, quoted ? nameFrom - 1 : nameFrom);
  return indent < 0 ? undefined : blockAfter(text, i, indent, block);
}

/** The secret value for the separator at `sep`, if the name before it is a secret. */
function pairAt(text: string, sep: number, names: SecretNames): Hit | undefined {
  let end = sep;
  while (end > 0 && sep - end < 3 && isBlank(text, end - 1)) end--;
  if (text[end - 1] === '"' || text[end - 1] === "'") end--;
  const found = nameBefore(text, end);
  if (found === undefined || !names.isSecretParam(found.name)) return undefined;
  const lower = found.name.toLowerCase();
  const wholeLine = lower.endsWith('authorization') || lower.endsWith('cookie');
  const inQuery = text[sep] === '=' && '?&#'.includes(text.charAt(found.from - 1) || ' ');
  // `"password" => "…"`: a Ruby hash, a PHP or Perl array
  const arrow = text[sep] === '=' && text[sep + 1] === '>';
  const value = valueAt(text, skipBlanks(text, sep + (arrow ? 2 : 1)), wholeLine, inQuery);
  if (value.to > value.from && text[value.from] !== '|' && text[value.from] !== '>') return value;
  return yamlValue(text, sep, found.from);
}

/** `name=value` and `name: value` pairs whose name is a secret: the values. */
export function keyValueHits(text: string, names: SecretNames): Hit[] {
  const hits: Hit[] = [];
  let eq = text.indexOf('=');
  let colon = text.indexOf(':');
  let from = 0;
  while (eq >= 0 || colon >= 0) {
    const sep = eq < 0 ? colon : colon < 0 ? eq : Math.min(eq, colon);
    const hit = pairAt(text, sep, names);
    if (hit !== undefined) hits.push(hit);
    from = hit === undefined ? sep + 1 : Math.max(hit.to, sep + 1);
    if (eq >= 0 && eq < from) eq = text.indexOf('=', from);
    if (colon >= 0 && colon < from) colon = text.indexOf(':', from);
  }
  return hits;
}

/** `--password hunter2` on a command line: the value after a secret flag and a space. */
export function flagValueHits(text: string, names: SecretNames): Hit[] {
  const hits: Hit[] = [];
  let dashes = text.indexOf('--');
  while (dashes >= 0) {
    let end = dashes + 2;
    while (end < text.length && end - dashes <= MAX_NAME && isNameChar(text.charCodeAt(end))) end++;
    const before = dashes === 0 ? 0 : text.charCodeAt(dashes - 1);
    const value = skipBlanks(text, end);
    const name = text.slice(dashes + 2, end);
    if (
      !isNameChar(before) &&
      value > end &&
      isValueChar(text, value, false) &&
      text[value] !== '-' &&
      /^[A-Za-z]/.test(name) &&
      names.isSecretParam(name)
    ) {
      const hit = valueAt(text, value, false, false);
      hits.push(hit);
      end = hit.to;
    }
    dashes = text.indexOf('--', Math.max(end, dashes + 2));
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
