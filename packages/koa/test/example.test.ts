import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Runs the README examples against the built package, as a user would.
const dir = fileURLToPath(new URL('../examples/', import.meta.url));
const env = { ...process.env, PORT: '0', METRICS_PORT: '0', METRICS_TOKEN: 'example-token' };

function run(file: string): string {
  return execFileSync(process.execPath, [dir + file], { env, encoding: 'utf8', timeout: 60_000 });
}

/** The part of an example the README shows: after the header comment, up to the end marker. */
function readmePart(file: string): string {
  const [head = ''] = readFileSync(dir + file, 'utf8').split('// end of the README part');
  return head.replace(/^(\/\/.*\n)+/, '').trim();
}

const count = (service: string, route: string, status: number) =>
  `http_server_request_duration_seconds_count{service="${service}",http_request_method="GET",http_route="${route}",http_response_status_code="${status}"} 1`;

describe('README examples', () => {
  it('shows only code that an example runs', () => {
    const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
    const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());
    const parts = readdirSync(dir).map(readmePart);
    expect(blocks).toHaveLength(4);
    for (const block of blocks) expect(parts).toContain(block);
  });

  it('Usage: records the nested router template and serves /metrics in-app', () => {
    const out = run('app.mjs');
    expect(out).toContain(count('orders-api', '/api/orders/:id', 200));
    expect(out).toContain(count('orders-api', '__unmatched__', 404));
  });

  it('serves metrics on a router of your own behind a bearer token', () => {
    const out = run('own-route.mjs');
    expect(out).toContain('without token: 401');
    expect(out).toContain('with token: 200');
    expect(out).toContain(count('billing', '/invoices/:id', 200));
    expect(out).not.toContain('/healthz');
  });

  it('serves metrics only on the separate metrics server with metricsPath: false', () => {
    const out = run('separate-port.mjs');
    expect(out).toContain('in-app /metrics: 404');
    expect(out).toContain(count('worker-api', '/hello', 200));
    expect(out).toContain(count('worker-api', '__unmatched__', 404));
  });
});
