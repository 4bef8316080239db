import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { startFakeLlm } from '@ai-orchestrator/testkit/fake-llm';
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

  it('records the GenAI example: a streamed openai call with its spend, a hand-made call, a tool run', async () => {
    const fake = await startFakeLlm({
      responder: () => ({
        kind: 'ok',
        text: 'Disk full on db-2, fixed.',
        usage: { input: 2_000_000, output: 500_000, cacheRead: 1_000_000 },
      }),
    });
    try {
      const example = fileURLToPath(new URL('../examples/genai.mjs', import.meta.url));
      const { stdout } = await promisify(execFile)(process.execPath, [example], {
        env: { ...process.env, OPENAI_API_KEY: 'test', OPENAI_BASE_URL: fake.openaiBaseURL },
        encoding: 'utf8',
      });
      expect(stdout).toContain('Disk full on db-2, fixed.');
      // 1M uncached x $0.15 + 1M cached x $0.075 + 0.5M output x $0.60, per million tokens.
      expect(stdout).toContain(
        'gen_ai_client_operation_cost_total{service="assistant",gen_ai_provider_name="openai",gen_ai_request_model="gpt-4o-mini",gen_ai_usage_cost_currency="USD",workflow_name="summarize"} 0.525',
      );
      expect(stdout).toContain(
        'gen_ai_client_operation_unpriced_total{service="assistant",gen_ai_provider_name="mistral_ai",gen_ai_request_model="mistral-large",workflow_name="",reason="unknown_model"} 1',
      );
      expect(stdout).toContain(
        'engine_calls_total{service="assistant",engine_type="openai",operation="chat",status="success"} 1',
      );
      expect(stdout).toContain(
        'engine_calls_total{service="assistant",engine_type="mistral_ai",operation="chat",status="success"} 1',
      );
      expect(stdout).toMatch(
        /gen_ai_execute_tool_duration_seconds_count\{service="assistant",gen_ai_tool_name="search_tickets",gen_ai_tool_type="function",gen_ai_agent_name="",error_type=""\} 1/,
      );
    } finally {
      await fake.close();
    }
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
