// Secrets whose name and value are parted by blanks alone, set by a command or a directive:
// `setenv DB_PASSWORD hunter2` (csh, launchctl; Apache's `SetEnv`), `set -gx API_TOKEN abc`
// (fish), `ENV DB_PASSWORD hunter2` (a Dockerfile's legacy form), `setx API_TOKEN abc` (Windows),
// `fastcgi_param` and `proxy_set_header` (nginx), `git config user.password …`, `npm config set
// //registry/:_authToken …`; and netrc entries (`machine host login ann password …`). One RegExp
// pass finds the command words; each name and value is read a bounded way ahead of its word, and
// the scan goes on after the value: linear.
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
  env: { value: 'line', flags: false },
  set: { value: 'list', flags: true },
  // `git config` and `npm config set`: their flags, then a key and its value
  config: { value: 'word', flags: true },
};

// The command words (any case but `set`, which is fish's), `launchctl setenv`, `git config` and
// `npm config set`. (global: one text is read with it at a time)
const COMMAND = new RegExp(
  `(?<![A-Za-z0-9_.$-])(?:(?:launchctl[ \\t]+)?(?:${Object.keys(COMMANDS)
    .filter((word) => word !== 'config')
    .join('|')})|git[ \\t]+config|(?:npm|yarn|pnpm)[ \\t]+config[ \\t]+set)(?=[ \\t])`,
  'gi',
);
// The command words stand anywhere (`op setenv …`, `Command failed: git config …`), but two that
// prose has: fish's `set` without flags only at the start of a line or a command (in `Note: set
// API_TOKEN before you start` the next word is no value), and `env` in small letters only where a
// command may start (a Dockerfile writes `ENV`).
const BEFORE_BARE_SET = new Set([...'\r\n;&|(']);
const BEFORE_COMMAND = new Set([...'\r\n;&|(){}`"\'#>$:']);
// fish's `set` flags that erase, query or list instead of setting (`set -e API_TOKEN`).
const NO_VALUE_FLAG = /^-[A-Za-z]*[eqnS]|^--(?:erase|query|names|show)/;
// git's flags that take the next word (`git config --file ./x user.password …`).
const FLAG_WITH_ARGUMENT = new Set(['-f', '--file', '--blob']);
// Bounds: blanks between words, flags before a name, a flag's and a name's length.
const MAX_GAP = 32;
const MAX_FLAGS = 6;
const MAX_WORD = 256;
// A reference to another variable is no value of its own (`proxy_set_header Authorization
// $http_authorization`, `setenv API_TOKEN ${OTHER}`, `setx API_TOKEN %TOKEN%`).
const REFERENCE = /^(?:\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|%[A-Za-z_][A-Za-z0-9_]*%)$/;

/** Past up to MAX_GAP blanks from `i`. */
function pastBlanks(text: string, i: number): number {
  const from = i;
  while (i < text.length && i - from < MAX_GAP && isBlank(text, i)) i++;
  return i;
}

/** Where the word at `from` ends: at a blank, a line break or `=`, within MAX_WORD characters. */
function wordEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length && i - from < MAX_WORD && !' \t\r\n='.includes(text.charAt(i))) i++;
  return i;
}

/** Whether the word at `at` starts a command: first on its line, or after one of `before`. */
function startsCommand(text: string, at: number, before: ReadonlySet<string>): boolean {
  let i = at;
  while (i > 0 && isBlank(text, i - 1)) i--;
  return i === 0 || before.has(text.charAt(i - 1));
}

/**
 * Past the flags from `i` (`-gx`, `--global`, `--file ./x`): where the name starts, or -1 when a
 * flag sets nothing (`set -e`); `found` says whether there was one.
 */
function pastFlags(text: string, i: number, found: { flags: boolean }): number {
  for (let n = 0; n < MAX_FLAGS && text[i] === '-'; n++) {
    const end = wordEnd(text, i);
    const flag = text.slice(i, end);
    if (NO_VALUE_FLAG.test(flag)) return -1;
    found.flags = true;
    i = pastBlanks(text, end);
    if (FLAG_WITH_ARGUMENT.has(flag)) i = pastBlanks(text, wordEnd(text, i));
  }
  return i;
}

/** The rest of the line (or command) from `from`: up to a line break, an escape or a closing quote. */
function restAt(text: string, from: number, breaks: string): Hit {
  let to = from;
  while (to < text.length) {
    const char = text.charAt(to);
    if (breaks.includes(char)) break;
    // `"cmd":"ENV A b"` closes; `it's` does not
    if (isQuote(char) && !/[A-Za-z0-9_]/.test(text.charAt(to + 1))) break;
    to++;
  }
  while (to > from && isBlank(text, to - 1)) to--;
  return { from, to };
}

/** The value of a command's kind at `from`: quoted, one word, or the rest of the line. */
function valueAt(text: string, from: number, value: Value): Hit {
  if (value === 'word' || isQuote(text.charAt(from))) return wordAt(text, from);
  return restAt(text, from, value === 'line' ? '\r\n\\' : '\r\n\\;&|');
}

/**
 * The secret value set by the command word matched at `[at, end)`, or undefined; `next` is set to
 * where the scan goes on.
 */
function commandValue(
  text: string,
  at: number,
  end: number,
  names: SecretNames,
  next: { at: number },
): Hit | undefined {
  const word = text.slice(at, end);
  const kind = word.includes('config') ? 'config' : word.toLowerCase().replace(/^launchctl\s+/, '');
  const command = COMMANDS[kind];
  if (command === undefined || (kind === 'set' && word !== 'set')) return undefined;
  const found = { flags: false };
  let from = pastBlanks(text, end);
  if (command.flags) from = pastFlags(text, from, found);
  if (from < 0) return undefined;
  const bare = kind === 'set' && !found.flags;
  if (bare && !startsCommand(text, at, BEFORE_BARE_SET)) return undefined;
  if (kind === 'env' && word !== 'ENV' && !startsCommand(text, at, BEFORE_COMMAND))
    return undefined;
  // the name, maybe quoted; `NAME=value` is a pair, read by the key-value rule
  const quoted = isQuote(text.charAt(from));
  const nameFrom = quoted ? from + 1 : from;
  let nameTo = wordEnd(text, nameFrom);
  if (quoted && text[nameTo - 1] === text[from]) nameTo--;
  const name = text.slice(nameFrom, nameTo);
  next.at = Math.max(nameTo, end);
  const after = nameTo + (quoted ? 1 : 0);
  if (name === '' || !isBlank(text, after)) return undefined;
  // fish without flags: a variable's name, in capitals (`set API_TOKEN abc`)
  if (bare && /[a-z]/.test(name)) return undefined;
  // judged by its last part (`//registry.npmjs.org/:_authToken`, `github.token`)
  const last = name.slice(Math.max(name.lastIndexOf(':'), name.lastIndexOf('/')) + 1);
  if (!names.isSecretKey(last)) return undefined;
  const start = pastBlanks(text, after);
  if (start >= text.length || '\r\n;|&#'.includes(text.charAt(start))) return undefined;
  const value = valueAt(text, start, command.value);
  if (value.to <= value.from || REFERENCE.test(text.slice(value.from, value.to))) return undefined;
  next.at = value.to;
  return value;
}

/**
 * Secrets set by a command or directive whose name and value are parted by blanks: `setenv
 * DB_PASSWORD hunter2`, `set -gx API_TOKEN abc`, `ENV DB_PASSWORD hunter2`, `setx`, `SetEnv`,
 * `fastcgi_param`, `proxy_set_header X-Api-Key …`, `git config user.password …`, `npm config set
 * …:_authToken …`.
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

// A netrc entry up to its password (`machine api.example.com login ann password …`, also one
// token a line, as Heroku's CLI writes it); `default` stands for any machine.
const NETRC =
  /(?<![A-Za-z0-9_.-])(?:machine[ \t\r\n]{1,64}[^ \t\r\n]{1,253}|default)[ \t\r\n]{1,64}login[ \t\r\n]{1,64}[^ \t\r\n]{1,256}[ \t\r\n]{1,64}password[ \t\r\n]{1,64}(?=[^ \t\r\n])/g;

/** The password of a netrc entry (`machine host login ann password …`). */
export function netrcHits(text: string): Hit[] {
  const hits: Hit[] = [];
  NETRC.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = NETRC.exec(text)) !== null) {
    const from = match.index + match[0].length;
    let to = from;
    while (to < text.length && !' \t\r\n'.includes(text.charAt(to))) to++;
    hits.push({ from, to });
    NETRC.lastIndex = to;
  }
  return hits;
}
