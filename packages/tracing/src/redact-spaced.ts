// Secrets whose name and value are parted by blanks alone, set by a command or a directive:
// `setenv DB_PASSWORD hunter2` (csh, launchctl; Apache's `SetEnv`), `set -gx API_TOKEN abc`
// (fish), `ENV DB_PASSWORD hunter2` (a Dockerfile's legacy form), `setx API_TOKEN abc` (Windows),
// `fastcgi_param`, `proxy_set_header` and `add_header` (nginx), `Header set` and `RequestHeader
// set` (Apache), `header_up` (Caddy), `git config user.password …`, `npm config set
// //registry/:_authToken …`; and netrc entries (`machine host login ann password …`). One RegExp
// pass finds the command words; each name and value is read ahead of its word, and the scan goes
// on past what was read: linear.
import type { SecretNames } from './redact-names.js';
import { isBlank, isQuote, wordAt } from './redact-kv.js';
import type { Hit } from './redact-rules.js';

/** How a command's value runs: one shell word, the rest of the line, or the rest of the command. */
type Value = 'word' | 'line' | 'list';

interface Command {
  readonly value: Value;
  /** Whether flags may stand before the name (`set -gx`, `git config --global`). */
  readonly flags: boolean;
}

const WORD: Command = { value: 'word', flags: false };
const COMMANDS: Readonly<Record<string, Command>> = {
  setenv: WORD,
  setx: WORD,
  fastcgi_param: WORD,
  uwsgi_param: WORD,
  scgi_param: WORD,
  proxy_set_header: WORD,
  grpc_set_header: WORD,
  add_header: WORD,
  header_up: WORD,
  header_down: WORD,
  env: { value: 'line', flags: false },
  set: { value: 'list', flags: true },
  // Apache's `Header set` and `RequestHeader set` (a condition may stand before the action)
  header: WORD,
  // `git config` (also `git config set`) and `npm config set`: their flags, then a key and its
  // value
  config: { value: 'word', flags: true },
};

// The command words (any case but `set`, which is fish's), `launchctl setenv`, Apache's `Header
// set`, `git config` and `npm config set` (`npm set`). (global: one text is read with it at a time)
const COMMAND = new RegExp(
  `(?<![A-Za-z0-9_.$-])(?:(?:launchctl[ \\t]+)?(?:${Object.keys(COMMANDS)
    .filter((word) => word !== 'config' && word !== 'header')
    .join('|')})|(?:request)?header[ \\t]+(?:(?:always|onsuccess)[ \\t]+)?` +
    `(?:set|append|add|merge|setifempty)|git[ \\t]+config|(?:npm|yarn|pnpm)[ \\t]+config[ \\t]+set|` +
    `(?:npm|pnpm)[ \\t]+set)(?=[ \\t])`,
  'gi',
);
// The command words stand anywhere (`op setenv …`, `Command failed: git config …`), but two that
// prose has: fish's `set` without flags only at the start of a line or a command (in `Note: set
// API_TOKEN before you start` the next word is no value), and `env` in small letters only where a
// command may start (a Dockerfile writes `ENV`).
const BEFORE_BARE_SET = new Set([...'\r\n;&|(']);
const BEFORE_COMMAND = new Set([...'\r\n;&|(){}`"\'#>$:']);
// A shell prompt's last character (`$ set …`, `~# set …`); a list marker (`- set …`, `* set …`).
const PROMPT = new Set([...'$#>%']);
const LIST_MARKER = new Set([...'-*']);
// fish's `set` flags that erase, query or list instead of setting (`set -e API_TOKEN`), git's
// that read or erase (`git config --get`, `--unset`).
const NO_VALUE_FLAG = /^-[A-Za-z]*[eqnS]|^--(?:erase|query|names|show|get|unset|list|remove)/;
// git's and npm's config flags that take an argument as the next word (`--type string`, `-f
// file`, `--location user`).
const FLAG_ARGUMENT =
  /^(?:-[fL]|--(?:file|blob|type|comment|default|value|location|userconfig|globalconfig|registry|workspace|prefix))$/;
// Bounds: flags and words before a name, a name's length.
const MAX_FLAGS = 6;
const MAX_WORD = 256;
// A reference to another variable is no value of its own (`proxy_set_header Authorization
// $http_authorization`, `setenv API_TOKEN ${OTHER}`, `setx API_TOKEN %TOKEN%`).
const REFERENCE = /^(?:\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|%[A-Za-z_][A-Za-z0-9_]*%)$/;
// What ends a shell word besides a blank and a line break.
const WORD_STOPS = ';&|<>`';
// Words of prose after a name, never a value: `ENV SECRET_KEY must be provided`, `setenv
// API_TOKEN before running`, `set PASSWORD policy to strict`, `git config user.password is not
// supported`. (Articles and pronouns are not here: `the quick brown fox` is a passphrase.)
const PROSE_WORDS = new Set([
  ...['to', 'in', 'on', 'at', 'of', 'for', 'from', 'with', 'without', 'into', 'by', 'via'],
  ...['before', 'after', 'until', 'unless', 'when', 'while', 'if', 'then', 'than', 'as'],
  ...['is', 'isn', 'are', 'aren', 'was', 'wasn', 'were', 'be', 'been', 'being', 'has', 'have'],
  ...['had', 'does', 'doesn', 'do', 'don', 'did', 'must', 'should', 'shall', 'can', 'cannot'],
  ...['could', 'will', 'won', 'would', 'may', 'might', 'not', 'and', 'or', 'but', 'nor'],
  ...['also', 'only', 'again', 'instead', 'here', 'there', 'now', 'yet', 'already', 'still'],
  ...['which', 'that', 'whose', 'so', 'too', 'either', 'neither', 'per', 'against'],
]);
// An authorization scheme, whose credential is the next word (`Authorization Basic\ abc`).
const SCHEME = /^(?:basic|bearer|token|digest|negotiate|ntlm|apikey)$/i;

/** Whether a line break starts at `i` (`\n`, `\r\n`, `\r`). */
function isBreak(text: string, i: number): boolean {
  return text[i] === '\n' || text[i] === '\r';
}

/** Past a line break at `i`. */
function pastBreak(text: string, i: number): number {
  return text[i] === '\r' && text[i + 1] === '\n' ? i + 2 : i + 1;
}

/** Whether a line continuation (`\` before a line break) starts at `i`. */
function isContinuation(text: string, i: number): boolean {
  return text[i] === '\\' && isBreak(text, i + 1);
}

/** Past blanks and line continuations from `i` (`setenv DB_PASSWORD \⏎  abc`). */
function pastBlanks(text: string, i: number): number {
  for (;;) {
    while (isBlank(text, i)) i++;
    if (!isContinuation(text, i)) return i;
    i = pastBreak(text, i + 1);
  }
}

/** Where the word at `from` ends: at a blank, a line break or `=`, within MAX_WORD characters. */
function wordEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length && i - from < MAX_WORD && !' \t\r\n='.includes(text.charAt(i))) i++;
  return i;
}

/** Where a flag at `from` ends: at a blank or a line break (`--type=string` is one flag). */
function flagEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length && i - from < MAX_WORD && !' \t\r\n'.includes(text.charAt(i))) i++;
  return i;
}

/** Whether the word at `at` starts a command: first on its line, or after one of `before`. */
function startsCommand(text: string, at: number, before: ReadonlySet<string>): boolean {
  let i = at;
  while (i > 0 && isBlank(text, i - 1)) i--;
  return i === 0 || before.has(text.charAt(i - 1));
}

/**
 * Whether a bare `set` at `at` starts a command: first on its line or after `;`, `&&`, `|`, or
 * after a shell prompt (`$ set …`) or a list marker (`- set …`).
 */
function startsBareSet(text: string, at: number): boolean {
  if (startsCommand(text, at, BEFORE_BARE_SET)) return true;
  let i = at;
  while (i > 0 && isBlank(text, i - 1)) i--;
  if (i === at) return false;
  const marker = text.charAt(i - 1);
  if (PROMPT.has(marker)) return true;
  return LIST_MARKER.has(marker) && !/[A-Za-z0-9_]/.test(text.charAt(i - 2));
}

/** Past a quoted part at `open`: past its closing quote, or the end of its line when none. */
function pastQuoted(text: string, open: number): number {
  const quote = text.charAt(open);
  let i = open + 1;
  while (i < text.length && text[i] !== quote) {
    if (isBreak(text, i)) return i;
    i += text[i] === '\\' && quote === '"' ? 2 : 1;
  }
  return Math.min(i + 1, text.length);
}

/**
 * Where a shell word from `from` ends: at a blank, a line break or one of WORD_STOPS, but past
 * escapes (`abc\ 123`, `abc\def`), quoted parts (`Tr0ub4dor"&3xyz`, `a"b c"d`) and line
 * continuations, also after blanks (`abc \⏎  123`): the logical end of the value.
 */
function shellWordEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const char = text.charAt(i);
    if (char === '\\') i = isContinuation(text, i) ? pastBlanks(text, i) : i + 2;
    else if (isQuote(char)) i = pastQuoted(text, i);
    else if (isBlank(text, i)) {
      const next = pastBlanks(text, i);
      if (next === i || !/[\r\n]/.test(text.slice(i, next))) return i;
      i = next;
    } else if (isBreak(text, i) || WORD_STOPS.includes(char)) return i;
    else i++;
  }
  return Math.min(i, text.length);
}

/** Whether the quote at `i` closes a string around the command (`{"cmd":"ENV A b"}`). */
function closesString(text: string, i: number): boolean {
  let next = i + 1;
  while (isBlank(text, next)) next++;
  return next >= text.length || ',}])\r\n'.includes(text.charAt(next));
}

/**
 * The rest of the line (or command, past `stops`) from `from`: past escapes and line
 * continuations (`abc \⏎  123`), up to a line break, a closing quote, or a continued line that
 * starts another command (`\⏎  && x`).
 */
function restEnd(text: string, from: number, stops: string): number {
  let to = from;
  let i = from;
  while (i < text.length && !isBreak(text, i) && !stops.includes(text.charAt(i))) {
    const char = text.charAt(i);
    if (isContinuation(text, i)) {
      const next = pastBlanks(text, pastBreak(text, i + 1));
      if ('&|;'.includes(text.charAt(next) || ';')) break;
      i = next;
      continue;
    }
    if (isQuote(char) && closesString(text, i)) break;
    i += char === '\\' ? 2 : 1;
    if (!isBlank(text, i - 1)) to = Math.min(i, text.length);
  }
  return to;
}

/** The value of a command's kind at `from`: quoted, one shell word, or the rest of the line. */
function valueAt(text: string, from: number, value: Value, name: string): Hit {
  if (isQuote(text.charAt(from))) {
    const quoted = wordAt(text, from);
    // `"abc"def` runs on
    if (quoted.to + 1 >= text.length || /[ \t\r\n;,)}\]]/.test(text.charAt(quoted.to + 1)))
      return quoted;
    return { from: quoted.from, to: shellWordEnd(text, quoted.to + 1) };
  }
  if (value !== 'word') return { from, to: restEnd(text, from, value === 'line' ? '' : ';&|') };
  const to = shellWordEnd(text, from);
  // an authorization's scheme and its credential (`Authorization Basic abc`)
  if (/authorization$/i.test(name) && SCHEME.test(text.slice(from, to))) {
    const next = pastBlanks(text, to);
    if (
      next > to &&
      next < text.length &&
      !isBreak(text, next) &&
      !WORD_STOPS.includes(text.charAt(next))
    )
      return { from, to: shellWordEnd(text, next) };
  }
  return { from, to };
}

/**
 * The word at `from` if it is a whole word in small letters followed by a blank and another word
 * on its line (`must be`, not `Now!2024`, `to:ken99`, `isé123`, nor `Will` alone), and where it
 * ends.
 */
function proseWord(text: string, from: number): { word: string; end: number } | undefined {
  let end = from;
  while (end - from < 16 && /[a-z]/.test(text.charAt(end))) end++;
  if (end === from || !isBlank(text, end)) return undefined;
  let next = end;
  while (isBlank(text, next)) next++;
  if (!/[A-Za-z0-9]/.test(text.charAt(next))) return undefined;
  return { word: text.slice(from, end), end };
}

/**
 * Whether the value at `value` reads as prose rather than a secret. The first cue: its first word
 * is one of PROSE_WORDS, in small letters, with more words after it (`ENV SECRET_KEY must be
 * provided`, `git config user.password is not supported`); for a value that runs to the end of the
 * line or command (`ENV`, `set`) only inside a sentence, not where a command starts (`ENV
 * DB_PASSPHRASE to be or not to be` is masked). The second: a word in small letters before one,
 * only for a one-word value after a command without flags inside a sentence (`Note:
 * proxy_set_header Authorization header is forwarded`); where a command starts that word is a
 * value (`setenv DB_PASSWORD swordfish is set` is masked), and a line-long value is never judged
 * by it (`Step 5/9 : ENV DB_PASSPHRASE cat in the hat`).
 */
function isProse(
  text: string,
  value: Hit,
  kind: Value,
  flags: boolean,
  atCommand: boolean,
): boolean {
  const first = proseWord(text, value.from);
  if (first === undefined) return false;
  if (PROSE_WORDS.has(first.word))
    return kind === 'word' || (!atCommand && plainWords(text, value));
  if (kind !== 'word' || flags || atCommand) return false;
  let next = first.end;
  while (isBlank(text, next)) next++;
  const second = proseWord(text, next);
  return second !== undefined && PROSE_WORDS.has(second.word);
}

/** Whether the value at `value` is words of letters alone (`in production`, not `to be 162`). */
function plainWords(text: string, value: Hit): boolean {
  return /^[A-Za-z]+(?:[ \t]+[A-Za-z]+)*$/.test(text.slice(value.from, value.to));
}

// What stands before a command where one starts, besides a line start and `;`, `&`, `|`, `(`,
// read back over at most MAX_LEAD characters, after a line start or a character that is no
// word's (`[INFO] Running:`): a docker build's step (`Step 3/7 :`, `#6 [2/4]`, `#6`), a shell
// trace (`+ `), a prompt (`$ `, `# `, `> `, `% `, `~$ `), a Dockerfile's `RUN` (in any case:
// leak-safe), a shell's `-c "` or `-c '`, and a log's `Running:`, `Executing:`, `Command:`.
const MAX_LEAD = 64;
const COMMAND_LEAD = new RegExp(
  '(?:^|[^A-Za-z0-9_])(?:' +
    [
      'step[ \\t]+\\d+/\\d+[ \\t]*:',
      '#\\d+(?:[ \\t]+\\[[^\\]\\r\\n]{0,24}\\])?',
      '\\++',
      '[^ \\t\\r\\n]{0,32}[$#>%]',
      'RUN',
      '(?:running|executing|execute|exec|command|cmd|run|invoking|calling|spawning)[ \\t]*:',
    ].join('|') +
    ')[ \\t]*$|(?:^|[ \\t])-c[ \\t]*["\']$',
  'i',
);

/** Whether a command at `at` starts one: first on its line, after `;`, `&`, `|`, `(`, or a lead. */
function atCommandStart(text: string, at: number): boolean {
  if (startsCommand(text, at, BEFORE_BARE_SET)) return true;
  const lead = text.slice(Math.max(0, at - MAX_LEAD), at);
  return COMMAND_LEAD.test(lead);
}

/** The kind of the command word (`launchctl setenv` → setenv, `RequestHeader set` → header). */
function kindOf(word: string): string {
  const lower = word.toLowerCase();
  if (/^(?:git|npm|yarn|pnpm)[ \t]/.test(lower)) return 'config';
  if (/^(?:request)?header[ \t]/.test(lower)) return 'header';
  return lower.replace(/^launchctl[ \t]+/, '');
}

/** A name at `from`, maybe quoted, and where it and its closing quote end. */
function nameAt(text: string, from: number): { name: string; to: number; after: number } {
  const quoted = isQuote(text.charAt(from));
  const nameFrom = quoted ? from + 1 : from;
  let to = wordEnd(text, nameFrom);
  if (quoted && text[to - 1] === text[from]) to--;
  return { name: text.slice(nameFrom, to), to, after: to + (quoted ? 1 : 0) };
}

/** Whether `name` names a secret, judged by its last part (`//registry/:_authToken`, `a.token`). */
function isSecretName(name: string, names: SecretNames): boolean {
  const last = name.slice(Math.max(name.lastIndexOf(':'), name.lastIndexOf('/')) + 1);
  return last !== '' && names.isSecretKey(last);
}

/**
 * The secret value set by the command word matched at `[at, end)`, or undefined; `next` is set to
 * where the scan goes on (past all that was read).
 */
function commandValue(
  text: string,
  at: number,
  end: number,
  names: SecretNames,
  next: { at: number },
): Hit | undefined {
  const word = text.slice(at, end);
  const kind = kindOf(word);
  const command = COMMANDS[kind];
  if (command === undefined || (kind === 'set' && word !== 'set')) return undefined;
  if (kind === 'env' && word !== 'ENV' && !startsCommand(text, at, BEFORE_COMMAND))
    return undefined;
  let from = pastBlanks(text, end);
  let flags = false;
  // flags, and for `git config` and `npm config set` the words before the key: the subcommand
  // `set` (`git config set`), a known flag's argument (`--type string`, `--location user`); no
  // other word (`git config lets you set a token value` names no key)
  let argument = false;
  for (let n = 0; n < MAX_FLAGS && command.flags; n++) {
    next.at = from;
    if (text[from] === '-') {
      const to = flagEnd(text, from);
      const flag = text.slice(from, to);
      if (NO_VALUE_FLAG.test(flag)) return undefined;
      flags = true;
      argument = kind === 'config' && FLAG_ARGUMENT.test(flag);
      from = pastBlanks(text, to);
      continue;
    }
    if (kind !== 'config') break;
    const { name, after } = nameAt(text, from);
    const skip = argument || (n === 0 && name === 'set' && /^git/i.test(word));
    if (!skip || name === '' || !isBlank(text, after)) break;
    argument = false;
    from = pastBlanks(text, after);
  }
  const bare = kind === 'set' && !flags;
  if (bare && !startsBareSet(text, at)) return undefined;
  // the name, maybe quoted; `NAME=value` is a pair, read by the key-value rule
  const { name, to: nameTo, after } = nameAt(text, from);
  next.at = Math.max(nameTo, end);
  if (name === '' || !isBlank(text, after)) return undefined;
  // fish without flags: a variable's name, in capitals (`set API_TOKEN abc`)
  if (bare && /[a-z]/.test(name)) return undefined;
  if (!isSecretName(name, names)) return undefined;
  const start = pastBlanks(text, after);
  next.at = start;
  if (start >= text.length || '\r\n;|&#'.includes(text.charAt(start))) return undefined;
  const value = valueAt(text, start, command.value, name);
  next.at = Math.max(value.to, start);
  if (value.to <= value.from || REFERENCE.test(text.slice(value.from, value.to))) return undefined;
  const atCommand = atCommandStart(text, at);
  if (!isQuote(text.charAt(start)) && isProse(text, value, command.value, flags, atCommand))
    return undefined;
  return value;
}

/**
 * Secrets set by a command or directive whose name and value are parted by blanks: `setenv
 * DB_PASSWORD hunter2`, `set -gx API_TOKEN abc`, `ENV DB_PASSWORD hunter2`, `setx`, `SetEnv`,
 * `fastcgi_param`, `proxy_set_header X-Api-Key …`, `Header set X-Api-Key …`, `git config
 * user.password …`, `npm config set …:_authToken …`.
 */
export function spacedValueHits(text: string, names: SecretNames): Hit[] {
  const hits: Hit[] = [];
  const next = { at: 0 };
  COMMAND.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = COMMAND.exec(text)) !== null) {
    const end = match.index + match[0].length;
    next.at = end;
    const hit = commandValue(text, match.index, end, names, next);
    if (hit !== undefined) hits.push(hit);
    COMMAND.lastIndex = Math.max(next.at, match.index + 1);
  }
  return hits;
}

// A netrc entry's start: `machine host` or `default`; its tokens follow in any order, on one line
// or several (as Heroku's CLI writes them).
const NETRC = /(?<![A-Za-z0-9_.-])(?:machine|default)(?=[ \t\r\n])/g;
// The tokens of an entry that take a value, and those whose value is a secret (`account` is an
// additional password); the words that start another entry or a macro.
const NETRC_KEYS = new Set(['login', 'password', 'account', 'port']);
const NETRC_SECRETS = new Set(['password', 'account']);
const NETRC_STARTS = new Set(['machine', 'default', 'macdef']);
// A host-like name: with a dot, an IP address, `localhost`, a name with a port (`registry:5000`).
// Any word is taken as the host (`machine myserver`, `machine nas`); only after a name that is not
// host-like, on an entry's first line, is a password in small letters judged as prose.
const MAX_HOST = 253;
const HOST = /^(?:[^\s.]+\.[^\s]*[^\s.]|localhost|[^\s:]+:\d{1,5}|\[?[0-9a-f:]*:[0-9a-f:]*\]?)$/i;

/**
 * Past blanks and line breaks from `i`, and `#` comments (to the end of their line) where a token
 * is looked for, not a value (`password #abc` has a value).
 */
function pastSpace(text: string, i: number, comments = true): number {
  for (;;) {
    while (isBlank(text, i) || isBreak(text, i)) i++;
    if (!comments || text[i] !== '#') return i;
    while (i < text.length && !isBreak(text, i)) i++;
  }
}

/** Where a netrc token at `from` ends (a blank or a line break). */
function tokenEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length && !isBlank(text, i) && !isBreak(text, i)) i++;
  return i;
}

/**
 * Whether a netrc value at `[from, to)` reads as prose: a word in small letters that another
 * word follows on its line, not a netrc token, an entry's start or a `#` comment (`machine
 * learning login page password reset flow`).
 */
function netrcProse(text: string, from: number, to: number): boolean {
  if (!/^[a-z]+$/.test(text.slice(from, to))) return false;
  let i = to;
  while (isBlank(text, i)) i++;
  if (i >= text.length || isBreak(text, i) || text[i] === '#') return false;
  const word = text.slice(i, tokenEnd(text, i));
  return !NETRC_KEYS.has(word) && !NETRC_STARTS.has(word);
}

/**
 * The passwords of netrc entries (`machine host login ann password …`, in any order, `#` comment
 * lines between). The tokens are read to the first word that is none, and the scan goes on past
 * them: linear.
 */
export function netrcHits(text: string): Hit[] {
  const hits: Hit[] = [];
  NETRC.lastIndex = 0;
  let match: RegExpExecArray | null;
  // where the last entry's tokens ended: `default` may follow there (`… password y default …`)
  let entryEnd = -1;
  while ((match = NETRC.exec(text)) !== null) {
    let i = pastSpace(text, match.index + match[0].length);
    // whether a password in small letters may be prose: after a name that is not host-like
    // (`machine learning …`), on the entry's first line
    let prose = false;
    if (match[0] === 'machine') {
      const host = tokenEnd(text, i);
      if (host === i || host - i > MAX_HOST || NETRC_STARTS.has(text.slice(i, host))) continue;
      prose = !HOST.test(text.slice(i, host));
      i = host;
    } else if (match.index !== entryEnd && !startsCommand(text, match.index, BEFORE_BARE_SET))
      continue;
    for (;;) {
      const key = pastSpace(text, i);
      const keyEnd = tokenEnd(text, key);
      const token = text.slice(key, keyEnd);
      entryEnd = key;
      if (!NETRC_KEYS.has(token)) break;
      if (/[\r\n]/.test(text.slice(i, key))) prose = false;
      const from = pastSpace(text, keyEnd, false);
      // a token with no value before the next entry (`password⏎machine …`)
      if (from >= text.length || NETRC_STARTS.has(text.slice(from, tokenEnd(text, from)))) break;
      const to = isQuote(text.charAt(from)) ? pastQuoted(text, from) : tokenEnd(text, from);
      if (/[\r\n]/.test(text.slice(keyEnd, from))) prose = false;
      if (NETRC_SECRETS.has(token) && !(prose && netrcProse(text, from, to)))
        hits.push({ from, to });
      i = to;
    }
    NETRC.lastIndex = Math.max(i, match.index + 1);
  }
  return hits;
}
