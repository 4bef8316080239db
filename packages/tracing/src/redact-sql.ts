// Credentials in database commands (`db.statement`, `db.query.text`): the literal after
// `PASSWORD` (`ALTER USER … WITH PASSWORD '…'`, `SET PASSWORD FOR … = '…'`), after
// `IDENTIFIED [WITH plugin] BY`, and the arguments of Redis `AUTH`, `HELLO … AUTH`,
// `CONFIG SET requirepass` and `ACL SETUSER … >password`. A scanner by hand over the words of the
// text: each keyword looks ahead a bounded distance or masks what it reads, so it stays linear.
import type { SecretNames } from './redact-names.js';
import type { Hit } from './redact-rules.js';

// How far `SET PASSWORD FOR <user>` may be from its `=`, and a `$tag$` may be long.
const LOOKAHEAD = 256;
const MAX_TAG = 64;

function isWordChar(code: number): boolean {
  return (
    (code >= 48 && code <= 57) ||
    (code >= 65 && code <= 90) ||
    (code >= 97 && code <= 122) ||
    code === 95
  );
}

function isSpace(char: string): boolean {
  return char === ' ' || char === '\t' || char === '\r' || char === '\n';
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charAt(i))) i++;
  return i;
}

function wordEnd(text: string, i: number): number {
  while (i < text.length && isWordChar(text.charCodeAt(i))) i++;
  return i;
}

/** The word at `i` in lower case, when it is a short one (keywords are). */
function wordAt(text: string, i: number): string {
  const end = wordEnd(text, i);
  return end - i <= 12 ? text.slice(i, end).toLowerCase() : '';
}

/** The contents of a quoted literal: to its closing quote, or the end of the text. */
function quotedAt(text: string, i: number, quote: string): Hit {
  for (let k = i + 1; k < text.length; k++) {
    const char = text[k];
    if (char === '\\') k++;
    else if (char === quote && text[k + 1] === quote) k++;
    else if (char === quote) return { from: i + 1, to: k };
  }
  return { from: i + 1, to: text.length };
}

/** The contents of a `$$…$$` or `$tag$…$tag$` literal (PostgreSQL). */
function dollarQuotedAt(text: string, i: number): Hit | undefined {
  let end = i + 1;
  while (end < text.length && end - i <= MAX_TAG && isWordChar(text.charCodeAt(end))) end++;
  if (text[end] !== '$') return undefined;
  const tag = text.slice(i, end + 1);
  const close = text.indexOf(tag, end + 1);
  return { from: end + 1, to: close < 0 ? text.length : close };
}

/** The string literal starting at `i` (`'…'`, `"…"`, `E'…'`, `N'…'`, `$$…$$`), if one does. */
function literalAt(text: string, i: number): Hit | undefined {
  const prefix = text.charAt(i).toLowerCase();
  if ((prefix === 'e' || prefix === 'n') && (text[i + 1] === "'" || text[i + 1] === '"')) i++;
  const char = text.charAt(i);
  if (char === "'" || char === '"') return quotedAt(text, i, char);
  return char === '$' ? dollarQuotedAt(text, i) : undefined;
}

/** An unquoted argument (Oracle `IDENTIFIED BY tiger`, Redis `AUTH pw`): to a space or `;`. */
function bareAt(text: string, i: number): Hit | undefined {
  let end = i;
  while (end < text.length && !isSpace(text.charAt(end)) && !';,)'.includes(text.charAt(end))) {
    end++;
  }
  return end > i ? { from: i, to: end } : undefined;
}

/** After `PASSWORD`: `'…'`, `= '…'`, `('…')`, `FOR <user> = '…'`. */
function afterPassword(text: string, end: number): Hit | undefined {
  // `"password":"…"` is a JSON pair (key-value's), not a command
  if (!isSpace(text.charAt(end)) && !'=('.includes(text.charAt(end))) return undefined;
  let i = skipSpace(text, end);
  if (wordAt(text, i) === 'for') {
    let eq = i;
    while (eq < text.length && eq - i <= LOOKAHEAD && !'=;\n'.includes(text.charAt(eq))) eq++;
    if (text[eq] !== '=') return undefined;
    i = skipSpace(text, eq + 1);
    // MySQL 5: SET PASSWORD FOR u = PASSWORD('…')
    if (wordAt(text, i) === 'password') i = skipSpace(text, wordEnd(text, i));
  } else if (text[i] === '=') {
    i = skipSpace(text, i + 1);
  }
  // a function of the password: `= crypt('…', gen_salt('bf'))`, `= SHA2('…', 256)`, `= md5('…')`
  const call = wordEnd(text, i);
  if (call > i && call - i <= 32 && text[skipSpace(text, call)] === '(') i = skipSpace(text, call);
  if (text[i] === '(') i = skipSpace(text, i + 1);
  return literalAt(text, i);
}

// The verbs of the statements in which `IDENTIFIED BY` takes an unquoted password (Oracle
// `CREATE USER scott IDENTIFIED BY tiger`, `GRANT … IDENTIFIED BY`); in a statement without one
// ("the user identified by id 42") only a quoted password counts.
const IDENTIFIED_VERBS = new Set(['create', 'alter', 'grant']);

/** After `IDENTIFIED`: `BY '…'`, `BY PASSWORD '…'`, `WITH plugin BY|AS '…'`, Oracle `BY pw`. */
function afterIdentified(text: string, end: number, definition: boolean): Hit | undefined {
  let i = skipSpace(text, end);
  let word = wordAt(text, i);
  if (word === 'with') {
    i = skipSpace(text, wordEnd(text, i + 4));
    const plugin = literalAt(text, i);
    i = skipSpace(text, plugin === undefined ? wordEnd(text, i) : plugin.to + 1);
    word = wordAt(text, i);
    if (word === 'as') word = 'by';
  }
  if (word !== 'by') return undefined;
  i = skipSpace(text, i + 2);
  // MySQL `BY PASSWORD '*hash'`, Oracle `BY VALUES 'hash'`
  const next = wordAt(text, i);
  if (next === 'password' || next === 'values') i = skipSpace(text, wordEnd(text, i));
  return literalAt(text, i) ?? (definition ? bareAt(text, i) : undefined);
}

// Redis words that end the arguments of AUTH (`HELLO 3 AUTH user pw SETNAME app`).
const REDIS_WORDS = new Set(['AUTH', 'AUTH2', 'HELLO', 'SETNAME', 'KEYS', 'CONFIG', 'ACL']);

/** The one or two Redis arguments from `i` (`AUTH [user] pw`), on one line. */
function redisArguments(text: string, i: number): Hit | undefined {
  // the instrumentations' own placeholder (`auth [2 other arguments]`) hides them already
  if (text[i] === '[') return undefined;
  let end = i;
  for (let words = 0; words < 2; words++) {
    const from = words === 0 ? end : end + 1;
    if (words > 0 && text[end] !== ' ' && text[end] !== '\t') break;
    let to = from;
    while (to < text.length && !isSpace(text.charAt(to))) to++;
    if (to === from || (to - from <= 8 && REDIS_WORDS.has(text.slice(from, to).toUpperCase()))) {
      break;
    }
    end = to;
  }
  return end > i ? { from: i, to: end } : undefined;
}

/** The secret after the keyword `word` (lower case) that ends at `end`, if it has one. */
function secretAfter(
  text: string,
  raw: string,
  end: number,
  command: string,
  definition: boolean,
): Hit | undefined {
  const word = raw.toLowerCase();
  switch (word) {
    case 'password':
      return afterPassword(text, end);
    case 'identified':
      return afterIdentified(text, end, definition);
    case 'requirepass':
    case 'masterauth':
      return text[end] === ' ' ? bareAt(text, skipSpace(text, end)) : undefined;
    case 'auth':
    case 'auth2':
      // a command (`AUTH user pw`, `auth pw` on a line of its own, `hello 3 auth user pw`), not
      // prose ("Auth failed for bob")
      if (text[end] !== ' ') return undefined;
      // "auth failed: …" is a message, not a command
      if (raw !== 'AUTH' && text[wordEnd(text, end + 1)] === ':') return undefined;
      if (raw === 'AUTH' || raw === 'AUTH2' || command === word || command === 'hello') {
        return redisArguments(text, end + 1);
      }
      return undefined;
    default:
      return undefined;
  }
}

/** Passwords in SQL and Redis commands. */
export function sqlSecretHits(text: string): Hit[] {
  const hits: Hit[] = [];
  // the first word of the current line: `AUTH …` is a command only there (or after HELLO)
  let command = '';
  let lineStart = true;
  // whether the current SQL statement (to a `;`, over lines) has had a verb that takes an
  // unquoted password after IDENTIFIED BY
  let definition = false;
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (!isWordChar(code)) {
      if (code === 10) lineStart = true;
      else if (!isSpace(text.charAt(i))) lineStart = false;
      if (code === 59) definition = false;
      // ACL SETUSER alice on >password
      if (code === 62 && command === 'acl' && isSpace(text.charAt(i - 1))) {
        const hit = bareAt(text, i + 1);
        if (hit !== undefined) {
          hits.push(hit);
          i = hit.to;
          continue;
        }
      }
      i++;
      continue;
    }
    const end = wordEnd(text, i);
    const raw = end - i <= 12 ? text.slice(i, end) : '';
    const word = raw.toLowerCase();
    // a command's first word is in one case; only it makes a lower-case `auth` a command
    if (lineStart) command = raw === word || raw === raw.toUpperCase() ? word : '';
    else if (command === word) command = '';
    lineStart = false;
    if (IDENTIFIED_VERBS.has(word)) definition = true;
    const hit = raw === '' ? undefined : secretAfter(text, raw, end, command, definition);
    if (hit !== undefined && hit.to > hit.from) {
      hits.push(hit);
      // a closing quote is not the start of the next literal
      i = Math.max(hit.to + 1, end);
    } else {
      i = end;
    }
  }
  return hits;
}

// How long an INSERT's column list and one row of values may run before the scan gives up on it.
const MAX_COLUMNS = 2048;
const MAX_ROW = 8192;
const INSERT = /\binsert[ \t\r\n]+(?:into[ \t\r\n]+)?[^\s(]{1,128}[ \t\r\n]*\(/gi;
const VALUES = /^[ \t\r\n]*values[ \t\r\n]*\(/i;

/** The items of a parenthesised list from `from` (after its `(`): their spans, and the `)`. */
function listItems(text: string, from: number, limit: number): { items: Hit[]; close: number } {
  // within a bounded stretch, so an unclosed quote costs `limit`, not the rest of the text
  const part = text.slice(from, from + limit);
  const items: Hit[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < part.length; i++) {
    const char = part[i];
    if (char === "'" || char === '"' || char === '`') {
      i = quotedAt(part, i, char).to;
    } else if (char === '(') {
      depth++;
    } else if (char === ')' && depth > 0) {
      depth--;
    } else if ((char === ',' || char === ')') && depth === 0) {
      items.push({ from: from + start, to: from + i });
      if (char === ')') return { items, close: from + i };
      start = i + 1;
    }
  }
  return { items, close: -1 };
}

/** A column name as written (`password`, `"password"`, `` `password` ``, `[password]`). */
function columnName(text: string, item: Hit): string {
  return text
    .slice(item.from, item.to)
    .trim()
    .replace(/^["'`[]|["'`\]]$/g, '');
}

/** The literal inside a value (`'…'`, `N'…'`), or the whole value when it is not a placeholder. */
function valueSecret(text: string, item: Hit): Hit | undefined {
  let from = item.from;
  let to = item.to;
  while (from < to && isSpace(text.charAt(from))) from++;
  while (to > from && isSpace(text.charAt(to - 1))) to--;
  const literal = literalAt(text, from);
  if (literal !== undefined) return literal;
  const value = text.slice(from, to);
  // a placeholder or NULL holds nothing
  if (/^(?:\?|\$\d+|:\w+|@\w+|null|default)$/i.test(value) || from === to) return undefined;
  return { from, to };
}

/**
 * `INSERT INTO users (email, password) VALUES ('a', '…')`: the values of columns with a secret
 * name, in every row of the statement.
 */
export function insertValueHits(text: string, names: SecretNames): Hit[] {
  const hits: Hit[] = [];
  INSERT.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = INSERT.exec(text)) !== null) {
    const columns = listItems(text, match.index + match[0].length, MAX_COLUMNS);
    if (columns.close < 0) continue;
    const secret = columns.items.map((item) => names.isSecretKey(columnName(text, item)));
    let at = columns.close + 1;
    INSERT.lastIndex = at;
    if (!secret.includes(true)) continue;
    // each row: `VALUES (…)`, then `, (…)` for the next ones
    let row = VALUES.exec(text.slice(at, at + 64));
    while (row !== null) {
      const values = listItems(text, at + row[0].length, MAX_ROW);
      if (values.close < 0) break;
      values.items.forEach((item, i) => {
        const hit = secret[i] === true ? valueSecret(text, item) : undefined;
        if (hit !== undefined && hit.to > hit.from) hits.push(hit);
      });
      at = values.close + 1;
      INSERT.lastIndex = at;
      row = /^[ \t\r\n]*,[ \t\r\n]*\(/.exec(text.slice(at, at + 64));
    }
  }
  return hits;
}
