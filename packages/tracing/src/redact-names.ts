// Which names hold a secret: attribute keys (`user.password`, `openai_api_key`, `userPassword`),
// query parameters and the `name=value` / `name: value` pairs found inside text. One judgement for
// all three, so a name is masked wherever it appears.
import type { RE2JS } from 're2js';
import { shadowOf } from './redact-shadow.js';

// A name is a secret when its last word is one of these (`x-auth-token`, `user_password`)...
const SECRET_WORDS = [
  'password',
  'passwd',
  'pwd',
  'pass',
  'passphrase',
  'secret',
  'token',
  'cookie',
  'credential',
  'credentials',
  'authorization',
  'auth',
  'jwt',
  'apikey',
  'signature',
  'email',
  'phone',
  'ssn',
  'username',
  'userid',
  'sessionid',
  'jsessionid',
  'phpsessid',
  'secrets',
  'authentication',
  'passcode',
  'cvv',
  'cvv2',
  'cvc',
  'cvc2',
  'bearer',
  'storepass', // keytool's -storepass, -srcstorepass, -keypass
  'keypass',
];
// ...or its last two words are one of these (`x-goog-api-key`, `enduser.id`, `session_id`)...
const SECRET_PAIRS = [
  'api key',
  'private key',
  'secret key',
  'access key',
  'account key',
  'subscription key',
  'functions key',
  'signing key',
  'encryption key',
  'master key',
  'client key',
  'session id',
  'user id',
  'enduser id',
  'pseudo id',
  'user name',
  'full name',
  'phone number',
  'card number',
  'security number',
  'auth key',
  'key base',
  'api keys',
  'access keys',
  'secret keys',
  'private keys',
  // WordPress's keys and salts (`AUTH_KEY` is `auth key` above; `LOGGED_IN_SALT`, `NONCE_KEY`)
  'auth salt',
  'in key',
  'in salt',
  'nonce key',
  'nonce salt',
];
// ...also when one of these words follows it (`password_confirmation`, `newPasswordRepeat`,
// `api_key_old`, `DB_PASSWORD_PROD`).
const QUALIFIERS = new Set([
  'confirmation',
  'confirm',
  'new',
  'old',
  'current',
  'previous',
  'repeat',
  'repeated',
  'again',
  'verify',
  'verification',
  'plain',
  'plaintext',
  'raw',
  'value',
  // environments and encodings of one secret (`DB_PASSWORD_PROD`, `JWT_SECRET_BASE64`)
  'prod',
  'production',
  'dev',
  'development',
  'staging',
  'stage',
  'test',
  'local',
  'primary',
  'secondary',
  'backup',
  'base64',
  'b64',
  'hex',
  'encoded',
]);
// ...or its last word, written without separators, ends with one of these (`accesstoken`).
const SECRET_SUFFIXES = [
  'password',
  'passwd',
  'secret',
  'token',
  'apikey',
  'privatekey',
  'storepass',
  'keypass',
];
// Query parameters with a secret value that would be harmless as an attribute key
// (`?key=AIza…`, `?sig=…`, `?code=…`; `messaging.kafka.message.key` is not a secret).
const PARAM_WORDS = ['key', 'sig', 'code', 'session', 'sid'];

// Past this many distinct names, answers are no longer remembered.
const CACHE_LIMIT = 4096;
// Names longer than this are judged by their last part only: no name of ours is that long.
const MAX_NAME = 256;

function isUpper(code: number): boolean {
  return code >= 65 && code <= 90;
}

function isLower(code: number): boolean {
  return code >= 97 && code <= 122;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/**
 * The lower-case words of a name: split at anything but letters and digits, and at camelCase
 * humps (`AWSAccessKeyId` -> aws access key id); trailing numbers are dropped (`signature-256`).
 */
export function nameWords(name: string): string[] {
  const text = name.length > MAX_NAME ? name.slice(-MAX_NAME) : name;
  const words: string[] = [];
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : 0;
    const wordChar = isUpper(code) || isLower(code) || isDigit(code);
    if (wordChar && start >= 0 && isUpper(code)) {
      const prev = text.charCodeAt(i - 1);
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      // a hump: aB, or the last capital of a run before lower case (AWSAccess -> AWS Access)
      if (isLower(prev) || isDigit(prev) || (isUpper(prev) && isLower(next))) {
        words.push(text.slice(start, i).toLowerCase());
        start = i;
      }
    }
    if (wordChar && start < 0) start = i;
    if (!wordChar && start >= 0) {
      words.push(text.slice(start, i).toLowerCase());
      start = -1;
    }
  }
  while (words.length > 0 && /^\d+$/.test(words[words.length - 1] ?? '')) words.pop();
  return words;
}

function endsWith(words: readonly string[], tail: readonly string[]): boolean {
  if (tail.length === 0 || tail.length > words.length) return false;
  const offset = words.length - tail.length;
  return tail.every((word, i) => words[offset + i] === word);
}

/** Extra secret names given by the user: word lists (`ssn`, `x-tenant-key`) and patterns. */
export interface ExtraNames {
  readonly words: readonly (readonly string[])[];
  readonly patterns: readonly RE2JS[];
}

/** Judges names, remembering the answer for each distinct name. */
export class SecretNames {
  private readonly keys = new Map<string, boolean>();
  private readonly params = new Map<string, boolean>();
  private readonly words = new Set(SECRET_WORDS);
  private readonly pairs = new Set(SECRET_PAIRS);
  private readonly paramWords = new Set(PARAM_WORDS);

  constructor(private readonly extra: ExtraNames = { words: [], patterns: [] }) {}

  /** Whether the whole value of an attribute with this key is a secret. */
  isSecretKey(key: string): boolean {
    return this.cached(this.keys, key, false);
  }

  /** Whether the value after `name=` or `name:` in text (a query string, a header dump) is a secret. */
  isSecretParam(name: string): boolean {
    return this.cached(this.params, name, true);
  }

  private cached(cache: Map<string, boolean>, name: string, param: boolean): boolean {
    const known = cache.get(name);
    if (known !== undefined) return known;
    const secret = this.judge(name, param);
    if (cache.size < CACHE_LIMIT && name.length <= MAX_NAME) cache.set(name, secret);
    return secret;
  }

  private judge(name: string, param: boolean): boolean {
    // as its reader sees it (`pass\u200bword`, `ｐａｓｓｗｏｒｄ`), and in one case (`PaSsWoRd`,
    // whose humps are no words)
    const seen = shadowOf(name)?.text ?? name;
    const lower = seen.toLowerCase();
    return this.judgeWords(seen, param) || (lower !== seen && this.judgeWords(lower, param));
  }

  private judgeWords(name: string, param: boolean): boolean {
    const words = nameWords(name);
    // the name before a trailing qualifier is judged (`password_confirmation`)
    while (words.length > 1 && QUALIFIERS.has(words[words.length - 1] as string)) words.pop();
    const last = words[words.length - 1];
    if (last === undefined) return false;
    if (this.words.has(last) || (param && this.paramWords.has(last))) return true;
    if (words.length > 1 && this.pairs.has(`${words[words.length - 2]} ${last}`)) return true;
    if (SECRET_SUFFIXES.some((suffix) => last.length > suffix.length && last.endsWith(suffix))) {
      return true;
    }
    if (this.extra.words.some((tail) => endsWith(words, tail))) return true;
    const bounded = name.length > MAX_NAME ? name.slice(-MAX_NAME) : name;
    return this.extra.patterns.some((pattern) => pattern.test(bounded));
  }
}
