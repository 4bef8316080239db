import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Runs the README example against the built package, as a user would.
describe('README example', () => {
  it('labels requests with full route templates and serves /metrics in-app', () => {
    const example = fileURLToPath(new URL('../examples/quickstart.mjs', import.meta.url));
    const out = execFileSync(process.execPath, [example], {
      env: { ...process.env, PORT: '0' },
      encoding: 'utf8',
    });
    const line = (method: string, route: string, status: number, count: number) =>
      `http_server_request_duration_seconds_count{service="checkout-api",http_request_method="${method}",http_route="${route}",http_response_status_code="${status}"} ${count}`;
    expect(out.trim().split('\n').sort()).toEqual(
      [
        line('GET', '/api/v1/orders/:id', 200, 2),
        line('GET', '/admin/users/:id', 200, 1),
        line('GET', '__unmatched__', 404, 1),
        line('POST', '/api/v1/orders/:id/pay', 402, 1),
      ].sort(),
    );
  });
});
