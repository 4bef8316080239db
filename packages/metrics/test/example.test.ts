import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

describe('README compatibility example', () => {
  const example = fileURLToPath(new URL('../examples/compatibility.mjs', import.meta.url));

  it('is the code the README shows', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const [head = ''] = readFileSync(example, 'utf8').split('// end of the README part');
    const shown = head.replace(/^(\/\/.*\n)+/, '').trim();
    const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((match) => match[1]!.trim());
    expect(blocks).toContain(shown);
  });

  it('records positional calls in milliseconds and serves them from a plain Node server', () => {
    const out = execFileSync(process.execPath, [example], {
      env: { ...process.env, PORT: '0' },
      encoding: 'utf8',
    });
    const labels = 'workflow_name="summarize",engine_type="openai",status="success"';
    expect(out.trim().split('\n')).toEqual([
      `workflow_executions_total{service="compat-api",${labels}} 1`,
      `workflow_execution_duration_seconds_count{service="compat-api",${labels}} 1`,
      'workflow_queue_size{service="compat-api",queue="default"} 2',
      'engine_calls_total{service="compat-api",engine_type="openai",operation="completion",status="failure"} 1',
      'engine_call_duration_seconds_count{service="compat-api",engine_type="openai",operation="completion",status="failure"} 1',
    ]);
  });
});
