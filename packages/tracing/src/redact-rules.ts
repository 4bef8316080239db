// The built-in rules that find secrets and personal data inside text. Each rule has a gate (a
// cheap check on the text and its profile) and a scan; a scan is a hand-written loop or a RegExp
// written in a shape V8's backtracking engine runs in linear time:
// - it starts with a lookbehind that excludes its own first characters, so a run of them is tried
//   from its first character only (no rescanning of a long run from every position);
// - a repeat either has a small bound or is the last thing its match needs (nothing after it can
//   fail and make it give characters back), and adjacent repeats use disjoint classes;
// - a match it turns down (`hits` returns undefined) has a bounded length.
// `redact-linear.test.ts` feeds megabyte-long adversarial text through each of them.
import { luhnCards } from './redact-cards.js';
import {
  AUTH_SCHEMES,
  elementHits,
  flagValueHits,
  keyValueHits,
  multipartHits,
  tableCellHits,
} from './redact-kv.js';
import type { SecretNames } from './redact-names.js';
import { percentEncodedHits } from './redact-percent.js';
import type { TextProfile } from './redact-profile.js';
import { netrcHits, spacedValueHits } from './redact-spaced.js';
import { insertValueHits, oracleToolBefore, sqlSecretHits } from './redact-sql.js';

/** A part of the text to replace, `[from, to)`. */
export interface Hit {
  readonly from: number;
  readonly to: number;
}

export interface TextRule {
  readonly name: string;
  /** Whether `text` can hold a match at all; false skips the scan. */
  readonly gate: (text: string, profile: TextProfile) => boolean;
  /** The parts of `text` to mask, in order, not overlapping. */
  readonly scan: (text: string, names: SecretNames) => readonly Hit[];
}

/** `[Bb][Ee]…`: a word in any case, without the `i` flag's slower matching. */
function anyCase(word: string): string {
  return word.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`);
}

// Keys with a recognisable prefix, one alternative per shape. The tail runs to the end of the
// key's characters, so a longer key than documented is masked whole.
const PROVIDER_KEYS = [
  'sk-[A-Za-z0-9_-]{20,}', // OpenAI (sk-, sk-proj-, sk-svcacct-, sk-admin-), Anthropic sk-ant-, DeepSeek, OpenRouter sk-or-
  '(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}', // Stripe secret, restricted, publishable
  'whsec_[A-Za-z0-9]{20,}', // Stripe webhook secret
  'gh[pousr]_[A-Za-z0-9]{30,}', // GitHub classic: personal, OAuth, user-to-server, server, refresh
  'github_pat_[A-Za-z0-9_]{30,}', // GitHub fine-grained personal token
  'gl(?:pat|dt|rt|ptt|cbt|ft|imt|oas|soat|ffct|agent)-[A-Za-z0-9_-]{20,}', // GitLab
  'xox[abposrec]-[A-Za-z0-9-]{10,}', // Slack bot, user, app-level, refresh, config, client tokens
  'xapp-[0-9]-[A-Za-z0-9-]{10,}', // Slack app token
  'hooks\\.slack\\.com/(?:services|workflows|triggers)/[A-Za-z0-9/_-]{20,}', // Slack webhook
  'discord(?:app)?\\.com/api/webhooks/[0-9]{5,}/[A-Za-z0-9_-]{20,}', // Discord webhook
  'hf_[A-Za-z0-9]{30,}', // Hugging Face user token
  'api_org_[A-Za-z0-9]{30,}', // Hugging Face org token
  'npm_[A-Za-z0-9]{36,}', // npm
  'pypi-[A-Za-z0-9_-]{50,}', // PyPI
  'SG\\.[A-Za-z0-9_-]{16,32}\\.[A-Za-z0-9_-]{16,64}', // SendGrid
  'SK[0-9a-fA-F]{32}', // Twilio API key SID
  '(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA|A3T[A-Z0-9])[A-Z0-9]{16,}', // AWS key ids
  'AIza[A-Za-z0-9_-]{35,}', // Google API key (Gemini, Maps, Firebase)
  'ya29\\.[A-Za-z0-9_-]{20,}', // Google OAuth access token
  '1//[A-Za-z0-9_-]{30,}', // Google OAuth refresh token
  'GOCSPX-[A-Za-z0-9_-]{20,}', // Google OAuth client secret
  'gsk_[A-Za-z0-9]{40,}', // Groq
  'xai-[A-Za-z0-9]{40,}', // xAI
  'pplx-[A-Za-z0-9]{40,}', // Perplexity
  'r8_[A-Za-z0-9]{30,}', // Replicate
  'nvapi-[A-Za-z0-9_-]{40,}', // NVIDIA
  'fw_[A-Za-z0-9]{20,}', // Fireworks
  'lsv2_(?:pt|sk)_[A-Za-z0-9_]{30,}', // LangSmith
  'pcsk_[A-Za-z0-9_]{40,}', // Pinecone
  'dapi[0-9a-f]{32,}', // Databricks
  'do[opr]_v1_[0-9a-f]{64,}', // DigitalOcean
  'shp(?:at|ca|pa|ss)_[0-9a-fA-F]{32,}', // Shopify
  'lin_api_[A-Za-z0-9]{30,}', // Linear
  '(?:secret|ntn)_[A-Za-z0-9]{40,}', // Notion
  'ATATT3[A-Za-z0-9_=-]{40,}', // Atlassian
  'PMAK-[0-9a-f]{24}-[0-9a-f]{34,}', // Postman
  'key-[0-9a-f]{32,}', // Mailgun
  '[0-9a-f]{32}-us[0-9]{1,2}', // Mailchimp
  'hv[sbr]\\.[A-Za-z0-9_-]{20,}', // HashiCorp Vault
  'dp\\.(?:pt|st|sa|ct|scim|audit)\\.[A-Za-z0-9]{40,}', // Doppler
  'sntry[su]_[A-Za-z0-9_=-]{30,}', // Sentry auth tokens
  'gl(?:sa|c)_[A-Za-z0-9_=-]{30,}', // Grafana
  'NRAK-[A-Z0-9]{27,}', // New Relic
  'sbp_[0-9a-f]{40,}', // Supabase
  'sb_secret_[A-Za-z0-9_-]{20,}', // Supabase secret key
  'dckr_pat_[A-Za-z0-9_-]{20,}', // Docker Hub
  'tskey-[A-Za-z0-9-]{20,}', // Tailscale
  'AGE-SECRET-KEY-1[0-9A-Z]{50,}', // age
  '[0-9]{8,10}:AA[A-Za-z0-9_-]{33}', // Telegram bot token
  '[MNO][A-Za-z0-9_-]{23,27}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{27,40}', // Discord bot token
  'eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{2,}(?:\\.[A-Za-z0-9_-]*){0,3}', // JWT / JWS / JWE
];

// What an e-mail address's local part and domain labels are made of (in a RegExp with the u flag).
const EMAIL_LABEL = '\\p{L}\\p{M}\\p{N}-';
const EMAIL_LOCAL = '\\p{L}\\p{M}\\p{N}._%+-';

// A word that a database command with a password holds (`PASSWORD`, `IDENTIFIED`, `AUTH`, `ACL`).
const DB_WORD = /pass|identified|auth|acl/i;

// A command-line flag: a dash at the start of the text or after a blank or a quote.
const FLAG_START = /(?:^|[\s"'])-/;

// A word of a command that sets a name to a value parted by blanks (`setenv`, `set -gx`, `ENV`,
// `setx`, `fastcgi_param`, `proxy_set_header`, `git config`, `npm config set`).
const SPACED_WORD = /set|env|config|_param|header/i;

// A SQL INSERT (REPLACE, UPSERT), whose values may sit apart from their column names.
const INSERT_WORD = /insert|replace|upsert/i;

// A word that may start an auth scheme, to skip text without one.
const AUTH_WORD = /bearer|basic|digest|token|negotiate/i;

/**
 * A scan by a global RegExp: each match is masked whole, or as `hits` says; a match `hits` turns
 * down is passed over one character at a time.
 */
function byPattern(
  source: string,
  hits?: (text: string, start: number, end: number) => readonly Hit[] | undefined,
  flags = '',
): (text: string) => Hit[] {
  const pattern = new RegExp(source, `g${flags}`);
  return (text) => {
    const found: Hit[] = [];
    pattern.lastIndex = 0;
    let match: RegExpExecArray | null;
    while ((match = pattern.exec(text)) !== null) {
      const start = match.index;
      const end = start + match[0].length;
      const parts = hits === undefined ? [{ from: start, to: end }] : hits(text, start, end);
      let next = start + 1;
      for (const part of parts ?? []) {
        found.push(part);
        next = Math.max(next, part.to);
      }
      pattern.lastIndex = next;
    }
    return found;
  };
}

// Words that follow "bearer" in prose ("bearer tokens expire"); anything else after it is a credential.
const BEARER_PROSE = new Set([
  'token',
  'tokens',
  'authentication',
  'scheme',
  'schemes',
  'credential',
  'credentials',
  'header',
  'headers',
]);

// A word of prose: lower case, or capitalised.
const PROSE_WORD = /^[A-Z]?[a-z.-]+$/;
const CAPITALISED = /^[A-Z][a-z.-]+$/;

/** `Bearer <credential>` and the like outside a `name: value` pair. */
function authSchemeHits(text: string, start: number, end: number): Hit[] | undefined {
  let from = start;
  while (from < end && text[from] !== ' ' && text[from] !== '\t') from++;
  const scheme = text.slice(start, from);
  while (from < end && (text[from] === ' ' || text[from] === '\t')) from++;
  const credential = text.slice(from, end);
  const lower = scheme.toLowerCase();
  // a bearer credential is any token (`Bearer abcdefghij`); a digest one is a list of pairs
  // (`Digest username="…"`), not a hash name ("digest sha256:…"); a `Basic` one any base64 word
  // but a capitalised one ("Basic Settings"); after the others, prose is a word in lower case or
  // capitalised ("basic information", "Invalid Token Provided"), and a credential anything else
  let looksSecret: boolean;
  if (lower === 'bearer') looksSecret = !BEARER_PROSE.has(credential.toLowerCase());
  else if (lower === 'digest') looksSecret = credential.includes('=');
  else if (credential.length >= 20) looksSecret = true;
  else if (lower === 'basic' && scheme !== lower) looksSecret = !CAPITALISED.test(credential);
  else looksSecret = !PROSE_WORD.test(credential);
  return looksSecret ? [{ from, to: end }] : undefined;
}

function charClass(code: number): number {
  if (code >= 97 && code <= 122) return 0;
  if (code >= 65 && code <= 90) return 1;
  if (code >= 48 && code <= 57) return 2;
  return 3;
}

/** Whether a 40-character base64 run looks random (an AWS secret key), not like a word or path. */
function looksRandom(text: string, start: number, end: number): boolean {
  const seen = [0, 0, 0, 0];
  let changes = 0;
  let slashes = 0;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    const cls = charClass(code);
    seen[cls] = 1;
    if (code === 47) slashes++;
    if (i > start && cls !== charClass(text.charCodeAt(i - 1))) changes++;
  }
  const mixed = seen[0] === 1 && seen[1] === 1 && seen[2] === 1 && changes >= 12;
  return mixed && slashes <= 2 && text[start] !== '/';
}

function isBase64Char(code: number): boolean {
  return (
    (code >= 48 && code <= 57) ||
    (code >= 65 && code <= 90) ||
    (code >= 97 && code <= 122) ||
    code === 43 ||
    code === 47
  );
}

/** Runs of exactly 40 base64 characters that look random. */
function awsSecretHits(text: string): Hit[] {
  const hits: Hit[] = [];
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i < text.length && isBase64Char(text.charCodeAt(i))) continue;
    const padded = text[i] === '=' || text[start - 1] === '=';
    if (i - start === 40 && !padded && looksRandom(text, start, i))
      hits.push({ from: start, to: i });
    start = i + 1;
  }
  return hits;
}

// Spaces between two digit groups of a card number, at most.
const MAX_CARD_SPACES = 3;

/** Runs of digit groups, each checked for card numbers. */
function cardHits(text: string): Hit[] {
  const hits: Hit[] = [];
  let start = -1;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : 0;
    if (code >= 48 && code <= 57) {
      if (start < 0) start = i;
      digits++;
      continue;
    }
    // `4111 1111 …`, `4111-1111-…`, `4111.1111.…`, `4111_1111_…`; spaces also doubled or
    // tripled (`4111  1111  …`, aligned or mistyped), which the run steps over at once
    const separator = code === 32 || code === 45 || code === 46 || code === 95;
    let gap = i + 1;
    if (code === 32)
      while (gap < text.length && gap - i < MAX_CARD_SPACES && text[gap] === ' ') gap++;
    const next = gap < text.length ? text.charCodeAt(gap) : 0;
    if (start >= 0 && separator && next >= 48 && next <= 57) {
      i = gap - 1;
      continue;
    }
    if (start >= 0 && digits >= 13) hits.push(...(luhnCards(text, start, i) ?? []));
    start = -1;
    digits = 0;
  }
  return hits;
}

/** An address, unless it is a Git remote in SSH form (`git@github.com:acme/web.git`). */
function gitRemote(text: string, start: number, end: number): Hit[] | undefined {
  const remote =
    text[end] === ':' && (text.startsWith('git@', start) || text.startsWith('hg@', start));
  return remote ? undefined : [{ from: start, to: end }];
}

/** A PEM private key block, to its END line (or the end of the text when that was cut off). */
function privateKeyHits(text: string, start: number): Hit[] {
  const endMarker = text.indexOf('-----END', start);
  if (endMarker < 0) return [{ from: start, to: text.length }];
  const close = text.indexOf('-----', endMarker + 8);
  return [{ from: start, to: close < 0 ? text.length : close + 5 }];
}

/** The rules that read text as it is, in the order they run. */
const PLAIN_RULES: readonly TextRule[] = [
  {
    name: 'private-key',
    gate: (text) => text.includes('-----BEGIN'),
    scan: byPattern('-----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----', (text, start) =>
      privateKeyHits(text, start),
    ),
  },
  {
    name: 'url-credentials',
    gate: (text) => text.includes('://') && text.includes('@'),
    // the user information ends at the last @ before the path, like WHATWG URL parsing
    scan: byPattern(
      '(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,31}://[^\\s/?#]{1,512}@',
      (text, start, end) => [{ from: text.indexOf('://', start) + 3, to: end - 1 }],
    ),
  },
  {
    // `user/password@//host` (Oracle EZConnect, JDBC thin), `user:password@tcp(host:3306)` (Go
    // MySQL DSN, also when a length cut left `…@tcp`), `user/password@host:1521`,
    // `user:password@localhost/db`: a connection string without a scheme. The host of `host:port`
    // is a DNS name or an IP address, not a time (`job:nightly@02:00`) nor a version
    // (`lodash@4.17.21:1:2`). `user/password@NAME` (a TNS name) only on an Oracle tool's command
    // line: elsewhere it is a module (`github.com/x/y@v2`). `mailto:` is an address.
    name: 'dsn-credentials',
    gate: (text) => text.includes('@'),
    scan: byPattern(
      '(?<![A-Za-z0-9_.$-])(?![Mm][Aa][Ii][Ll][Tt][Oo]:)[A-Za-z0-9_.$-]{1,64}[:/][^\\s@/:]{1,256}@(?://|(?:tcp|unix)\\b|(?:[A-Za-z][A-Za-z0-9.-]{0,252}|[0-9]{1,3}(?:\\.[0-9]{1,3}){3}|\\[[0-9A-Fa-f:.]{2,45}\\]):[0-9]{1,5}(?![0-9A-Za-z])|localhost(?![^/])|(?=[A-Za-z(]))',
      (text, start, end) => {
        let at = start;
        while (text[at] !== ':' && text[at] !== '/') at++;
        const sign = text.indexOf('@', at);
        // only the TNS name's alternative ends at the @
        if (sign === end - 1 && !oracleToolBefore(text, start)) return undefined;
        return [{ from: at + 1, to: sign }];
      },
    ),
  },
  // before key-value, which would take the N of `PASSWORD = N'…'` for the value
  {
    name: 'database-command',
    gate: (text) => DB_WORD.test(text),
    scan: sqlSecretHits,
  },
  {
    name: 'sql-insert',
    gate: (text) => INSERT_WORD.test(text),
    scan: insertValueHits,
  },
  // before key-value, which masks `key="…"` (a query's `?key=AIza…`) and hides the name
  {
    name: 'xml-element',
    gate: (text) => text.includes('<'),
    scan: elementHits,
  },
  {
    name: 'key-value',
    gate: (text) => text.includes('=') || text.includes(':') || text.includes('('),
    scan: keyValueHits,
  },
  // before the commands: a line-long value (`ENV A x machine nas`) would hide an entry's start
  {
    name: 'netrc',
    gate: (text) =>
      (text.includes('password') || text.includes('account')) &&
      (text.includes('machine') || text.includes('default')),
    scan: netrcHits,
  },
  {
    name: 'spaced-value',
    gate: (text) => SPACED_WORD.test(text),
    scan: spacedValueHits,
  },
  {
    name: 'multipart-field',
    gate: (text) => text.includes('form-data'),
    scan: multipartHits,
  },
  {
    name: 'table-cell',
    gate: (text) => text.includes('|'),
    scan: tableCellHits,
  },
  {
    name: 'flag-value',
    gate: (text) => FLAG_START.test(text),
    scan: flagValueHits,
  },
  // before auth-scheme: `token_type=bearer ann@example.com` is an address, not a credential
  {
    name: 'email',
    gate: (text) => text.includes('@') || text.includes('%40'),
    // letters and digits of any script (`bøb@exämple.com`), so an address is masked whole
    scan: byPattern(
      `(?<![${EMAIL_LOCAL}])[${EMAIL_LOCAL}]{1,64}(?:@|%40)[${EMAIL_LABEL}]{1,63}(?:\\.[${EMAIL_LABEL}]{1,63}){0,8}\\.(?:xn--[A-Za-z0-9-]{1,59}|\\p{L}{2,24})`,
      gitRemote,
      'u',
    ),
  },
  {
    name: 'auth-scheme',
    gate: (text) => AUTH_WORD.test(text),
    scan: byPattern(
      `(?<![A-Za-z0-9_-])(?:${AUTH_SCHEMES.map(anyCase).join('|')})[ \\t]{1,8}[A-Za-z0-9._~+/=-]{6,}`,
      authSchemeHits,
    ),
  },
  {
    name: 'provider-key',
    gate: (text, profile) => profile.keyRun >= 15,
    scan: byPattern(`(?<![A-Za-z0-9_-])(?:${PROVIDER_KEYS.join('|')})`),
  },
  {
    name: 'azure-client-secret',
    gate: (text) => text.includes('Q~'),
    scan: byPattern('(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.-]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}'),
  },
  {
    name: 'card-number',
    gate: (text, profile) => profile.cardRun >= 13,
    scan: cardHits,
  },
  {
    name: 'aws-secret-key',
    gate: (text, profile) => profile.base64Run >= 40,
    scan: awsSecretHits,
  },
];

/** The built-in rules, in the order they run; each sees the text the ones before it masked. */
export const TEXT_RULES: readonly TextRule[] = [
  ...PLAIN_RULES,
  {
    name: 'percent-encoded',
    gate: (text) => text.includes('%'),
    scan: (text, names) => percentEncodedHits(text, names, PLAIN_RULES),
  },
];
