// Bearer or basic auth for the metrics endpoint, compared in constant time. A header that is
// not well-formed (RFC 7235 credentials, RFC 4648 base64, UTF-8 `user:password`) is refused
// before any comparison.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { MetricsAuth } from './types.js';
import { invalid, requireName } from './validate.js';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

// Hashing both sides first makes the comparison length-independent as well.
function safeEqual(sent: string, expected: string): boolean {
  return timingSafeEqual(digest(sent), digest(expected));
}

// Visible ASCII: what a token sent by Prometheus (`authorization.credentials`) can hold.
const TOKEN = /^[\x21-\x7e]+$/;
// RFC 4648 base64 with padding, nothing else.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function checkAuth(where: string, auth: unknown): MetricsAuth | undefined {
  if (auth === undefined) return undefined;
  if (typeof auth !== 'object' || auth === null) {
    throw invalid(
      where,
      'auth',
      auth,
      "{ type: 'bearer', token } or { type: 'basic', username, password }",
    );
  }
  const given = auth as MetricsAuth;
  if (given.type === 'bearer') {
    requireName(where, 'auth.token', given.token);
    if (!TOKEN.test(given.token)) {
      // The token itself stays out of the message: it is a secret.
      throw new TypeError(
        `${where}: auth.token must be visible ASCII characters without spaces (value not shown)`,
      );
    }
  } else if (given.type === 'basic') {
    requireName(where, 'auth.username', given.username);
    requireName(where, 'auth.password', given.password);
    if (given.username.includes(':')) {
      throw invalid(where, 'auth.username', given.username, 'a name without ":" (RFC 7617)');
    }
  } else {
    throw invalid(where, 'auth.type', (given as { type?: unknown }).type, "'bearer' or 'basic'");
  }
  return given;
}

/** The `WWW-Authenticate` challenge for a 401. */
export function challenge(auth: MetricsAuth): string {
  return auth.type === 'bearer'
    ? 'Bearer realm="metrics"'
    : 'Basic realm="metrics", charset="UTF-8"';
}

/** `user:password` of a well-formed basic credential, or undefined. */
function basicCredentials(encoded: string): string | undefined {
  if (encoded.length === 0 || !BASE64.test(encoded)) return undefined;
  try {
    const decoded = utf8.decode(Buffer.from(encoded, 'base64'));
    return decoded.includes(':') ? decoded : undefined;
  } catch {
    return undefined;
  }
}

export function authorized(auth: MetricsAuth, req: IncomingMessage): boolean {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return false;
  // `<scheme> <credentials>`: one space, then one token with no whitespace in it.
  const match = /^([A-Za-z]+) ([^\s]+)$/.exec(header);
  if (!match) return false;
  const scheme = (match[1] as string).toLowerCase();
  const credentials = match[2] as string;
  if (auth.type === 'bearer') {
    return scheme === 'bearer' && TOKEN.test(credentials) && safeEqual(credentials, auth.token);
  }
  if (scheme !== 'basic') return false;
  const decoded = basicCredentials(credentials);
  return decoded !== undefined && safeEqual(decoded, `${auth.username}:${auth.password}`);
}
