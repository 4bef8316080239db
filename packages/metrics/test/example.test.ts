import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Runs the README example against the built package, as a user would.
describe('README example', () => {
  it('records and serves the quickstart metrics', () => {
    const example = fileURLToPath(new URL('../examples/quickstart.mjs', import.meta.url));
    const out = execFileSync(process.execPath, [example], {
      env: { ...process.env, PORT: '0' },
      encoding: 'utf8',
    });
    expect(out).toMatch(/metrics served at http:\/\/127\.0\.0\.1:\d+\/metrics/);
    expect(out).toContain(
      'workflow_executions_total{service="quickstart",workflow_name="summarize",engine_type="openai",status="success"} 1',
    );
    expect(out).toContain(
      'engine_tokens_total{service="quickstart",engine_type="openai",token_type="input"} 1200',
    );
    expect(out).toContain(
      'http_server_request_duration_seconds_count{service="quickstart",http_request_method="GET",http_route="/users/:id",http_response_status_code="200"} 1',
    );
  });
});
