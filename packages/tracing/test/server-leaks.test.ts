// Real server spans: an instrumented Express app receives secrets in its URL, query, fragment and
// User-Agent, runs with secrets on its command line, and throws an error quoting an API key.
// Nothing of them may reach the collector; route templates and the rest of the span survive.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from './otlp-receiver.js';
import { registerFlags, startService, type Service } from './services.js';

const KEY = `sk-proj-${'Zq8xW2vB'.repeat(6)}`;
const GITHUB = `ghp_${'a1B2c3D4e5'.repeat(4)}`;
const QUERY: Record<string, string> = {
  token: 'T0ps3cret',
  auth_token: 'Auth7oken',
  private_token: 'Priv7oken',
  'api-key': 'Ap1key99',
  'x-api-key': 'Xap1key99',
  jwt: 'Jwt0paque',
  pass: 'Pa55word',
  email: 'ann%40example.com',
};

/** Sends a raw request line (a fragment is never sent by fetch) and reads the status line. */
function rawGet(port: number, target: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.end(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    });
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('end', () => resolve(answer.split('\r\n')[0] ?? ''));
    socket.on('error', reject);
  });
}

describe('secrets reaching an instrumented server never reach the collector', () => {
  let receiver: OtlpReceiver;
  let service: Service;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    service = await startService(
      'secrets-service.cjs',
      {
        OTEL_SERVICE_NAME: 'secrets-svc',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url,
        OTEL_SEMCONV_STABILITY_OPT_IN: 'http/dup', // old and stable attribute names both
        LEAKED_KEY: KEY,
      },
      registerFlags('secrets-service.cjs'),
      [`--api-key=${KEY}`, '--password', 'Cl1-pass-66', `--github-token=${GITHUB}`],
    );
  });

  afterAll(async () => {
    await service?.proc.stop();
    await receiver?.close();
  });

  it('masks query parameters, fragments, user agents, exceptions and process.command_args', async () => {
    const query = Object.entries(QUERY)
      .map(([name, value]) => `${name}=${value}`)
      .join('&');
    const reset = await fetch(`${service.url}/reset?page=2&${query}`, {
      headers: { 'user-agent': `curl/8.5 (ann@example.com; ${GITHUB})` },
    });
    expect(reset.status).toBe(200);
    expect((await fetch(`${service.url}/users/42`)).status).toBe(200);
    expect((await fetch(`${service.url}/chat`)).status).toBe(500);
    const port = Number(new URL(service.url).port);
    expect(await rawGet(port, '/reset?state=1#access_token=Fr4gment')).toBe('HTTP/1.1 200 OK');
    // one User-Agent from anyone on the internet: 15 000 characters that nearly make an e-mail
    const slow = await fetch(`${service.url}/users/7`, {
      headers: { 'user-agent': `${'a'.repeat(15_000)}@a` },
    });
    expect(slow.status).toBe(200);

    const spans = await receiver.waitFor(
      (all) =>
        all.filter((s) => s.kind === 2 && s.resource['service.name'] === 'secrets-svc').length >= 5,
    );
    const wire = Buffer.concat(receiver.bodies()).toString('latin1');
    for (const secret of [
      KEY,
      GITHUB,
      'Cl1-pass-66',
      'ann@example.com',
      'Fr4gment',
      ...Object.values(QUERY),
    ]) {
      expect(wire, secret).not.toContain(secret);
    }
    const reseted = spans.find(
      (s) => s.kind === 2 && String(s.attributes['url.query']).includes('page=2'),
    )!;
    expect(reseted.attributes['url.query']).toMatch(
      /^page=2&token=\[REDACTED\]&auth_token=\[REDACTED\]/,
    );
    expect(reseted.attributes['http.route']).toBe('/reset');
    const user = spans.find((s) => s.attributes['http.route'] === '/users/:id')!;
    expect(user.name).toBe('GET /users/:id');
    expect(user.resource['process.command_args']).toEqual(
      expect.arrayContaining([
        '--api-key=[REDACTED]',
        '--password',
        '[REDACTED]',
        '--github-token=[REDACTED]',
      ]),
    );
  });
});
