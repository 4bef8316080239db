// The built-in rules that find secrets and personal data inside text. Every pattern is written in
// a shape V8's backtracking engine runs in linear time:
// - it starts with a lookbehind that excludes its own first characters, so a run of them is tried
//   from its first character only (no rescanning of a long run from every position);
// - a repeat either has a small bound or is the last thing its match needs (nothing after it can
//   fail and make it give characters back), and adjacent repeats use disjoint classes;
// - a rule that can turn a match down (`hits` returns undefined) has a bounded match length.
// `redact-rules.test.ts` feeds megabyte-long adversarial text through each of them.
import { luhnCards } from './redact-cards.js';
import type { SecretNames } from './redact-names.js';

/** A part of the text to replace, `[from, to)`. */
export interface Hit {
  readonly from: number;
  readonly to: number;
}

export interface TextRule {
  readonly name: string;
  /** Pattern source without capturing groups (the scanner adds one per rule). */
  readonly source: string;
  /** What to mask for the match `text[start, end)`: undefined when it is no secret after all. */
  readonly hits?: (
    text: string,
    start: number,
    end: number,
    names: SecretNames,
  ) => readonly Hit[] | undefined;
}

/** `[Bb][Ee]…`: a word in any case, without the `i` flag for the whole scanner. */
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
  'xox[abposre]-[A-Za-z0-9-]{10,}', // Slack bot, user, app-level, refresh, config tokens
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

// Auth schemes whose credential follows after a space (`Authorization: Bearer …`).
export const AUTH_SCHEMES = ['bearer', 'basic', 'digest', 'token', 'negotiate'];

// Characters that end a value in `name=value` (a query string, a header list, JSON).
const VALUE_END = new Set([...' \t\r\n&;,"\'<>()[]{}|\\`']);

function isValueChar(text: string, i: number, inQuery = false): boolean {
  const c = text.charAt(i);
  return i < text.length && !VALUE_END.has(c) && !(inQuery && c === '#');
}

function skipBlanks(text: string, i: number): number {
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
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
 * The value after `name=` starting at `from`: quoted, to the end of the line, or one word (in a
 * query string, up to a `#` too: a password in free text may hold one, a URL's would be encoded).
 */
function valueEnd(
  text: string,
  from: number,
  wholeLine: boolean,
  inQuery: boolean,
): { from: number; to: number } {
  const quote = text[from];
  if (quote === '"' || quote === "'") return { from: from + 1, to: closingQuote(text, from + 1, quote) };
  let to = from;
  if (wholeLine) {
    while (to < text.length && !'\r\n"\\'.includes(text.charAt(to))) to++;
    return { from, to };
  }
  while (isValueChar(text, to, inQuery)) to++;
  // `Bearer abc…`: the credential after the scheme is part of the value
  const next = skipBlanks(text, to);
  if (next > to && isValueChar(text, next) && AUTH_SCHEMES.includes(text.slice(from, to).toLowerCase())) {
    to = next;
    while (isValueChar(text, to)) to++;
  }
  return { from, to };
}

function isNameChar(code: number): boolean {
  return (
    (code >= 48 && code <= 57) ||
    (code >= 65 && code <= 90) ||
    (code >= 97 && code <= 122) ||
    code === 95 ||
    code === 45
  );
}

/** `name=value`, `name: value`, `"name": "value"`, `--name=value`, `--name value`. */
function keyValueHits(text: string, start: number, end: number, names: SecretNames): Hit[] | undefined {
  let nameStart = start;
  while (text[nameStart] === '-') nameStart++;
  let nameEnd = nameStart;
  while (nameEnd < end && isNameChar(text.charCodeAt(nameEnd))) nameEnd++;
  const name = text.slice(nameStart, nameEnd);
  if (!names.isSecretParam(name)) return undefined;
  const last = name.toLowerCase();
  const wholeLine = last.endsWith('authorization') || last.endsWith('cookie');
  const inQuery = '?&#'.includes(text.charAt(start - 1)) && text[end - 1] === '=';
  const value = valueEnd(text, skipBlanks(text, end), wholeLine, inQuery);
  return value.to > value.from ? [value] : undefined;
}

/** `Bearer <credential>` and the like outside a `name: value` pair. */
function authSchemeHits(text: string, start: number, end: number): Hit[] | undefined {
  let from = start;
  while (from < end && text[from] !== ' ' && text[from] !== '\t') from++;
  from = skipBlanks(text, from);
  const credential = text.slice(from, end);
  // prose ("basic information") is one lower-case word; credentials are not
  const looksSecret = credential.length >= 20 || /[^a-z.-]/.test(credential);
  return looksSecret ? [{ from, to: end }] : undefined;
}

function charClass(code: number): number {
  if (code >= 97 && code <= 122) return 0;
  if (code >= 65 && code <= 90) return 1;
  if (code >= 48 && code <= 57) return 2;
  return 3;
}

/** A 40-character base64 run (an AWS secret access key) that looks random, not like a word or path. */
function randomKeyHits(text: string, start: number, end: number): Hit[] | undefined {
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
  const random = seen[0] === 1 && seen[1] === 1 && seen[2] === 1 && changes >= 12;
  return random && slashes <= 2 && text[start] !== '/' ? [{ from: start, to: end }] : undefined;
}

/** A PEM private key block, to its END line (or the end of the text when that was cut off). */
function privateKeyHits(text: string, start: number): Hit[] {
  const endMarker = text.indexOf('-----END', start);
  if (endMarker < 0) return [{ from: start, to: text.length }];
  const close = text.indexOf('-----', endMarker + 8);
  return [{ from: start, to: close < 0 ? text.length : close + 5 }];
}

/** `scheme://user:password@host`: the user information goes, scheme and host stay. */
function urlCredentialHits(text: string, start: number, end: number): Hit[] {
  return [{ from: text.indexOf('://', start) + 3, to: end - 1 }];
}

/** The built-in rules, in the order they are tried at one position. */
export const TEXT_RULES: readonly TextRule[] = [
  {
    name: 'private-key',
    source: '(?<!-)-----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----',
    hits: (text, start) => privateKeyHits(text, start),
  },
  {
    name: 'url-credentials',
    source: '(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,31}://[^\\s/?#]{1,512}@',
    hits: (text, start, end) => urlCredentialHits(text, start, end),
  },
  {
    name: 'provider-key',
    source: `(?<![A-Za-z0-9_-])(?:${PROVIDER_KEYS.join('|')})`,
  },
  {
    name: 'azure-client-secret',
    source: '(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.-]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}',
  },
  {
    name: 'email',
    source:
      '(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}(?:@|%40)[A-Za-z0-9-]{1,63}(?:\\.[A-Za-z0-9-]{1,63}){0,8}\\.[A-Za-z]{2,24}',
  },
  {
    name: 'key-value',
    source:
      '(?<![A-Za-z0-9_-])(?:-{1,2}[A-Za-z][A-Za-z0-9_-]{0,63}(?:[ \\t]{1,3}(?=[^\\s-])|["\']?[ \\t]{0,3}[=:])|[A-Za-z_][A-Za-z0-9_-]{0,63}["\']?[ \\t]{0,3}[=:])',
    hits: keyValueHits,
  },
  {
    name: 'auth-scheme',
    source: `(?<![A-Za-z0-9_-])(?:${AUTH_SCHEMES.map(anyCase).join('|')})[ \\t]{1,8}[A-Za-z0-9._~+/=-]{6,}`,
    hits: (text, start, end) => authSchemeHits(text, start, end),
  },
  {
    name: 'card-number',
    source: '(?<![0-9]|[0-9][ -])(?=(?:[0-9][ -]?){12}[0-9])[0-9]+(?:[ -][0-9]+)*',
    hits: (text, start, end) => luhnCards(text, start, end),
  },
  {
    name: 'aws-secret-key',
    source: '(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])',
    hits: (text, start, end) => randomKeyHits(text, start, end),
  },
];
