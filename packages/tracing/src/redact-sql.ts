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
  return end - i <= 16 ? text.slice(i, end).toLowerCase() : '';
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

// How long a statement's table name, column list and one row of values may run before the scan
// gives up on it. The search for the next statement goes on after all a scan read, so the work is
// linear: a statement inside a list that does not close within its limit is not looked for.
const MAX_TABLE = 128;
const MAX_COLUMNS = 2048;
const MAX_ROW = 8192;
// The verbs of statements that add rows by column (MySQL REPLACE, CockroachDB UPSERT).
const INSERT_VERB = /\b(?:insert|replace|upsert)\b/gi;
// Words between the verb and INTO: MySQL's, and Oracle's `INSERT ALL|FIRST INTO … INTO …`.
const INSERT_OPTIONS = new Set([
  'low_priority',
  'delayed',
  'high_priority',
  'ignore',
  'all',
  'first',
]);
// SQLite `INSERT OR REPLACE|IGNORE|ABORT|FAIL|ROLLBACK`.
const CONFLICT_ACTIONS = new Set(['replace', 'ignore', 'abort', 'fail', 'rollback']);
// Clauses after a select list: the rows go on past them only at a UNION.
const SELECT_CLAUSES = new Set(['from', 'where', 'group', 'having', 'order', 'limit', 'offset']);
// Words that end a select list: its clauses, and what starts the next statement.
const SELECT_ENDS = new Set([
  ...SELECT_CLAUSES,
  ...['fetch', 'for', 'window', 'on', 'union', 'intersect', 'except', 'returning', 'into'],
  ...['insert', 'upsert', 'update', 'delete', 'merge', 'select', 'values', 'create', 'alter'],
]);
// PostgreSQL `OVERRIDING SYSTEM|USER VALUE`, `SELECT ALL|DISTINCT`.
const OVERRIDING = new Set(['system', 'user']);
const SET_QUANTIFIERS = new Set(['all', 'distinct']);
// A select item that names a column (`email`, `s.password AS pw`, `*`): no value in the text.
const COLUMN_REF =
  /^(?:[A-Za-z_][\w$]*\.)*(?:[A-Za-z_][\w$]*|\*)(?:[ \t\r\n]+(?:as[ \t\r\n]+)?[A-Za-z_][\w$]*)?$/i;

interface List {
  readonly items: Hit[];
  /** Where it ended: its `)`, the word or `;` after a select list, the end of the text; or -1. */
  readonly end: number;
  /** The word a select list ended at (lower case), or ''. */
  readonly word: string;
}

/**
 * The items of a list from `from`, split at commas outside quotes and parentheses: a list in
 * parentheses (after its `(`) to its `)`, a select list (`ends` given) to one of those words, a
 * `;` or an unopened `)`. Both may end with the text; past `limit` characters, `end` is -1.
 */
function listAt(text: string, from: number, limit: number, ends?: ReadonlySet<string>): List {
  // within a bounded stretch, so an unclosed quote costs `limit`, not the rest of the text
  const part = text.slice(from, from + limit);
  const items: Hit[] = [];
  const ended = (start: number, i: number, word = ''): List => {
    items.push({ from: from + start, to: from + i });
    return { items, end: from + i, word };
  };
  let depth = 0;
  let start = 0;
  for (let i = 0; i < part.length; i++) {
    const char = part.charAt(i);
    const code = part.charCodeAt(i);
    if (char === "'" || char === '"' || char === '`') {
      i = quotedAt(part, i, char).to;
    } else if (char === '(') {
      depth++;
    } else if (char === ')' && depth > 0) {
      depth--;
    } else if (depth > 0) {
      continue;
    } else if (char === ',') {
      items.push({ from: from + start, to: from + i });
      start = i + 1;
    } else if (char === ')' || (char === ';' && ends !== undefined)) {
      return ended(start, i);
    } else if (ends !== undefined && isWordChar(code) && !isWordChar(part.charCodeAt(i - 1))) {
      const stop = wordEnd(part, i);
      const word = stop - i <= 9 ? part.slice(i, stop).toLowerCase() : '';
      if (ends.has(word)) return ended(start, i, word);
      i = stop - 1;
    }
  }
  // a statement the length bound cut short still has its values
  return from + limit >= text.length
    ? ended(start, text.length - from)
    : { items, end: -1, word: '' };
}

/** A column name as written (`password`, `"password"`, `` `password` ``, `[password]`). */
function columnName(text: string, item: Hit): string {
  return text
    .slice(item.from, item.to)
    .trim()
    .replace(/^["'`[]|["'`\]]$/g, '');
}

// A bound parameter: `?`, `?1`, `$1`, `:name`, `@name`, Python's `%s` and `%(name)s`.
const PLACEHOLDER = /^(?:\?\d*|\$\d+|[:@][A-Za-z_]\w{0,63}|%s|%\(\w{1,64}\)s)$/;

/** Whether `value` is a bound parameter of a statement, which holds no secret. */
export function isSqlPlaceholder(value: string): boolean {
  return PLACEHOLDER.test(value);
}

/**
 * The literal inside a value (`'…'`, `N'…'`), or the whole value when it is not a placeholder
 * (nor, in a select list, a column).
 */
function valueSecret(text: string, item: Hit, select: boolean): Hit | undefined {
  let from = item.from;
  let to = item.to;
  while (from < to && isSpace(text.charAt(from))) from++;
  while (to > from && isSpace(text.charAt(to - 1))) to--;
  // (a `$tag$` literal's end is looked for up to the item's end, not through the rest)
  const literal = literalAt(text.slice(0, to), from);
  if (literal !== undefined) return literal;
  const value = text.slice(from, to);
  // a placeholder, NULL or DEFAULT holds nothing
  if (from === to || isSqlPlaceholder(value) || /^(?:null|default)$/i.test(value)) {
    return undefined;
  }
  if (select && COLUMN_REF.test(value)) return undefined;
  return { from, to };
}

/** The values of the secret columns in `items` (a row, or a select list). */
function pushSecrets(text: string, items: Hit[], secret: boolean[], select: boolean, hits: Hit[]) {
  items.forEach((item, i) => {
    const hit = secret[i] === true ? valueSecret(text, item, select) : undefined;
    if (hit !== undefined && hit.to > hit.from) hits.push(hit);
  });
}

/** After the word at `i` if it is one of `words`, and the space after it; else `i`. */
function skipWord(text: string, i: number, words: ReadonlySet<string> | string): number {
  const word = wordAt(text, i);
  const known = typeof words === 'string' ? word === words : words.has(word);
  return known && word !== '' ? skipSpace(text, i + word.length) : i;
}

/** The end of a name from `i` (`users`, `app.users`, `"My Table"`, `[dbo].[users]`), or -1. */
function nameEnd(text: string, i: number): number {
  let quote = '';
  for (let k = i; k < text.length && k - i < MAX_TABLE; k++) {
    const char = text.charAt(k);
    if (quote !== '') {
      if (char === quote) quote = '';
    } else if (char === '"' || char === '`') {
      quote = char;
    } else if (char === '[') {
      quote = ']';
    } else if (isSpace(char) || char === '(') {
      return k > i ? k : -1;
    }
  }
  return -1;
}

/** Where the search goes on after a statement's scan: `next`, and whether it may go on. */
interface Scanned {
  readonly next: number;
  readonly done: boolean;
}

/** `VALUES (…), (…)` (also `VALUE`, MySQL `VALUES ROW(…)`) from `i`, just after the word. */
function valuesRows(text: string, i: number, secret: boolean[], hits: Hit[]): Scanned {
  for (;;) {
    i = skipWord(text, skipSpace(text, i), 'row');
    if (text[i] !== '(') return { next: i, done: false };
    const row = listAt(text, i + 1, MAX_ROW);
    if (row.end < 0) return { next: i + 1 + MAX_ROW, done: true };
    pushSecrets(text, row.items, secret, false, hits);
    i = skipSpace(text, row.end + 1);
    if (text[i] !== ',') return { next: i, done: false };
    i++;
  }
}

/** `SELECT 'a', '…' [FROM …] [UNION [ALL] SELECT …]` from `i`, just after the word. */
function selectRows(text: string, i: number, secret: boolean[], hits: Hit[]): Scanned {
  for (;;) {
    i = skipWord(text, skipSpace(text, i), SET_QUANTIFIERS);
    // past the bound, the items before it are values still
    const list = listAt(text, i, MAX_ROW, SELECT_ENDS);
    pushSecrets(text, list.items, secret, true, hits);
    if (list.end < 0) return { next: i + MAX_ROW, done: true };
    let clause = list;
    // over FROM, WHERE, … to a UNION, a `;`, the next statement
    while (SELECT_CLAUSES.has(clause.word)) {
      const at = clause.end + clause.word.length;
      clause = listAt(text, at, MAX_ROW, SELECT_ENDS);
      if (clause.end < 0) return { next: at + MAX_ROW, done: true };
    }
    if (clause.word !== 'union') return { next: clause.end, done: true };
    i = skipSpace(text, clause.end + 5);
    i = skipWord(text, i, SET_QUANTIFIERS);
    if (wordAt(text, i) !== 'select') return { next: i, done: true };
    i += 6;
  }
}

/**
 * The statement after an INSERT verb that ends at `at`: its secret values go to `hits`. Returns
 * where the search for the next statement goes on.
 */
function insertStatement(text: string, at: number, names: SecretNames, hits: Hit[]): number {
  let i = skipSpace(text, at);
  // Oracle `INSERT ALL|FIRST INTO … VALUES (…) INTO … VALUES (…) SELECT …`
  let multi = false;
  for (;;) {
    const word = wordAt(text, i);
    if (INSERT_OPTIONS.has(word)) {
      multi ||= word === 'all' || word === 'first';
      i = skipSpace(text, i + word.length);
    } else if (word === 'or' && CONFLICT_ACTIONS.has(wordAt(text, skipSpace(text, i + 2)))) {
      i = skipWord(text, skipSpace(text, i + 2), CONFLICT_ACTIONS);
    } else {
      break;
    }
  }
  do {
    const into = skipWord(text, i, 'into');
    if (multi && into === i) return i;
    i = into;
    // the table and a PostgreSQL `AS alias`; none in MERGE's `WHEN NOT MATCHED THEN INSERT (…)`
    if (text[i] !== '(') {
      let end = nameEnd(text, i);
      const as = end < 0 ? -1 : skipSpace(text, end);
      if (wordAt(text, as) === 'as') end = nameEnd(text, skipSpace(text, as + 2));
      if (end < 0) return at;
      i = skipSpace(text, end);
    }
    if (text[i] !== '(') return at;
    const columns = listAt(text, i + 1, MAX_COLUMNS);
    if (columns.end < 0) return i + 1 + MAX_COLUMNS;
    if (columns.end >= text.length) return text.length;
    const secret = columns.items.map((item) => names.isSecretKey(columnName(text, item)));
    i = skipSpace(text, columns.end + 1);
    // one table without a secret column: nothing to mask in the rest
    if (!multi && !secret.includes(true)) return i;
    // PostgreSQL `OVERRIDING SYSTEM|USER VALUE`
    if (wordAt(text, i) === 'overriding') {
      i = skipWord(text, skipWord(text, skipSpace(text, i + 10), OVERRIDING), 'value');
    }
    // `INSERT … (SELECT …)`
    if (text[i] === '(' && wordAt(text, skipSpace(text, i + 1)) === 'select') {
      i = skipSpace(text, i + 1);
    }
    const word = wordAt(text, i);
    const rows =
      word === 'values' || word === 'value'
        ? valuesRows(text, i + word.length, secret, hits)
        : word === 'select'
          ? selectRows(text, i + word.length, secret, hits)
          : { next: i, done: true };
    if (rows.done) return rows.next;
    i = rows.next;
  } while (multi);
  return i;
}

/**
 * `INSERT INTO users (email, password) VALUES ('a', '…')`: the values of columns with a secret
 * name, in every row of the statement (`VALUES`, `SELECT … UNION ALL SELECT …`), also in
 * `REPLACE`, `UPSERT`, `INSERT OR REPLACE|IGNORE`, `INSERT ALL INTO … INTO …`.
 */
export function insertValueHits(text: string, names: SecretNames): Hit[] {
  const hits: Hit[] = [];
  INSERT_VERB.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = INSERT_VERB.exec(text)) !== null) {
    const end = match.index + match[0].length;
    INSERT_VERB.lastIndex = Math.max(end, insertStatement(text, end, names, hits));
  }
  return hits;
}

// Oracle's command-line tools, whose `user/password@NAME` is a login to a TNS name.
const ORACLE_TOOL = /\b(?:sqlplus|sqlldr|expdp|impdp|rman)\b/i;
// Where the last text looked at names its first tool (-1: none): a rule asks once per match.
let toolText = '';
let toolAt = -1;

/** Whether `text` names an Oracle tool (`sqlplus`, `expdp`, `rman`, …) before `at`. */
export function oracleToolBefore(text: string, at: number): boolean {
  if (text !== toolText) {
    toolText = text;
    toolAt = text.search(ORACLE_TOOL);
  }
  return toolAt >= 0 && toolAt < at;
}
