// Bearer or basic auth for the metrics endpoint, compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { MetricsAuth } from './types.js';
import { invalid, requireName } from './validate.js';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

// Hashing both sides first makes the comparison length-independent as well.
function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

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
  const a = auth as MetricsAuth;
  if (a.type === 'bearer') {
    requireName(where, 'auth.token', a.token);
  } else if (a.type === 'basic') {
    requireName(where, 'auth.username', a.username);
    requireName(where, 'auth.password', a.password);
  } else {
    throw invalid(where, 'auth.type', (a as { type?: unknown }).type, "'bearer' or 'basic'");
  }
  return a;
}

/** The `WWW-Authenticate` challenge for a 401. */
export function challenge(auth: MetricsAuth): string {
  return auth.type === 'bearer'
    ? 'Bearer realm="metrics"'
    : 'Basic realm="metrics", charset="UTF-8"';
}

export function authorized(auth: MetricsAuth, req: IncomingMessage): boolean {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return false;
  const space = header.indexOf(' ');
  if (space === -1) return false;
  const scheme = header.slice(0, space).toLowerCase();
  const credentials = header.slice(space + 1).trim();
  if (auth.type === 'bearer') {
    return scheme === 'bearer' && safeEqual(credentials, auth.token);
  }
  if (scheme !== 'basic') return false;
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  return safeEqual(decoded, `${auth.username}:${auth.password}`);
}
