import type { IncomingMessage } from 'node:http';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  officialRequestAttributes,
  plainRequestAttributes,
  serverRequestAttributes,
} from './http-semconv.js';

interface Shape {
  readonly method?: string;
  readonly url?: string;
  readonly headers?: Record<string, string | string[] | undefined>;
  readonly remoteAddress?: string | undefined;
  readonly remotePort?: number;
  readonly httpVersion?: string;
}

function request(shape: Shape): IncomingMessage {
  return {
    method: shape.method ?? 'GET',
    url: shape.url ?? '/',
    headers: shape.headers ?? { host: '127.0.0.1:8080' },
    httpVersion: shape.httpVersion ?? '1.1',
    socket: { remoteAddress: shape.remoteAddress, remotePort: shape.remotePort },
  } as unknown as IncomingMessage;
}

/** Ours and the official function's, entry by entry (key order and undefined values included). */
function expectSame(req: IncomingMessage, encrypted: boolean): void {
  const ours = serverRequestAttributes(req, encrypted);
  const official = officialRequestAttributes(req, encrypted ? 'https' : 'http');
  expect(Object.entries(ours)).toEqual(Object.entries(official));
}

const PLAIN: Shape[] = [
  { url: '/users/42', remoteAddress: '127.0.0.1', remotePort: 50_000 },
  { method: 'POST', url: '/', headers: { host: 'api.example.com', 'user-agent': 'curl/8' } },
  { method: 'QUERY', url: "/a;b=c/@x:y/%zz/!$&'()*+,~", headers: { host: 'EXAMPLE.com:08' } },
  { url: '/a//b', headers: { host: 'localhost:0' }, remoteAddress: '::1', httpVersion: '2.0' },
  { url: '/x', headers: { host: '0.0.0.0:65535' }, remoteAddress: '' },
  { url: '/x', headers: { host: 'a..b' } },
];

// requests the fast path must hand to the official function
const OTHER: Shape[] = [
  { url: '/search?q=1&sig=secret' },
  { url: '/a/./b' },
  { url: '/a/%2E%2e/b' },
  { url: '/.well-known/x' },
  { url: '//evil.example/x' },
  { url: '/a\\b' },
  { url: '/a b' },
  { url: '/é' },
  { url: '/a#frag' },
  // kept by Node 20's URL parser, `^` percent-encoded by Node 24's
  { url: '/a^b' },
  { url: '/a|b' },
  { url: '/a[b]' },
  { url: '*' },
  { method: 'get' },
  { method: 'PURGE' },
  { headers: {} },
  { headers: { host: '' } },
  { headers: { host: 'xn--abc' } },
  { headers: { host: 'a.1' } },
  { headers: { host: '099.0.0.1' } },
  { headers: { host: '1.2.3.4.5' } },
  { headers: { host: 'h:65536' } },
  { headers: { host: '[::1]:80' } },
  { headers: { host: 'a.com.' } },
  { headers: { host: 'h', forwarded: 'for=10.0.0.1;host=front.example;proto=https' } },
  { headers: { host: 'h', 'x-forwarded-host': 'front.example', 'x-forwarded-proto': 'https' } },
  { headers: { host: 'h', 'x-forwarded-for': '10.0.0.1:5, 10.0.0.2' } },
  { headers: { host: 'h', 'x-forwarded-host': '' } },
];

describe('serverRequestAttributes', () => {
  it('writes the common request itself, as the official function would', () => {
    for (const shape of PLAIN) {
      for (const encrypted of [false, true]) {
        const req = request(shape);
        expect(plainRequestAttributes(req, encrypted ? 'https' : 'http'), shape.url).toBeDefined();
        expectSame(req, encrypted);
      }
    }
  });

  it('hands every other request to the official function', () => {
    for (const shape of OTHER) {
      const req = request(shape);
      expect(plainRequestAttributes(req, 'http'), JSON.stringify(shape)).toBeUndefined();
      expectSame(req, false);
    }
  });

  it('agrees with the official function on generated requests', () => {
    const pathChar = fc.constantFrom(...'aZ09-._~!$&\'()*+,;=:@/%|^[]?#\\ "<>{}`é.'.split(''));
    const hostChar = fc.constantFrom(...'ab09.-:[]_x'.split(''));
    fc.assert(
      fc.property(
        fc.constantFrom('GET', 'POST', 'get', 'PURGE', 'QUERY'),
        fc.array(pathChar, { maxLength: 24 }).map((chars) => `/${chars.join('')}`),
        fc.oneof(
          fc.constant(undefined),
          fc.array(hostChar, { maxLength: 16 }).map((c) => c.join('')),
          fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 70_000 })).map(([ip, p]) => `${ip}:${p}`),
          fc.domain(),
        ),
        fc.option(fc.ipV4(), { nil: undefined }),
        fc.boolean(),
        (method, url, host, remoteAddress, encrypted) => {
          const headers = host === undefined ? {} : { host };
          // twice: the second time, the Host header's answer is the remembered one
          for (let i = 0; i < 2; i += 1) {
            expectSame(request({ method, url, headers, remoteAddress, remotePort: 4 }), encrypted);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
