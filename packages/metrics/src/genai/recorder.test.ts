// metrics.genai from any code: the call handle, tools and agents, workflows, label limits, the
// opt-in revision, content capture, and input checks.
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { installTracing, type TestTracing } from '../../test/genai/otel.js';
import { scrape } from '../../test/genai/scrape.js';
import { createMetrics, type Metrics } from '../index.js';

function fresh(limits?: { maxLabelValues?: number }): Metrics {
  return createMetrics({
    serviceName: 'engine',
    registry: new Registry(),
    collectDefaultMetrics: false,
    ...(limits ? { limits } : {}),
  });
}

const call = { provider: 'openai', operation: 'chat', requestModel: 'gpt-4o' } as const;

describe('metrics.genai', () => {
  let tracing: TestTracing;
  beforeAll(() => {
    tracing = installTracing();
  });
  afterAll(() => tracing.uninstall());
  afterEach(() => tracing.exporter.reset());

  it('registers nothing until first used', async () => {
    const metrics = fresh();
    expect((await metrics.expose()).body).not.toContain('gen_ai_');
    metrics.genai.startCall(call).end();
    expect((await metrics.expose()).body).toContain(
      '# TYPE gen_ai_client_operation_duration_seconds histogram',
    );
  });

  it('records a hand-made streaming call: chunks, usage, engine_* and the exemplar of its span', async () => {
    const metrics = fresh();
    const c = metrics.genai.startCall({
      ...call,
      stream: true,
      serverAddress: 'api.openai.com',
      serverPort: 443,
    });
    for (let i = 0; i < 4; i++) c.chunk();
    c.end({
      responseModel: 'gpt-4o-2024-08-06',
      finishReasons: ['stop'],
      usage: { input: 10, output: 4 },
    });
    c.end({ usage: { input: 999 } }); // only the first end counts
    const s = await scrape(metrics);
    const labels = {
      gen_ai_response_model: 'gpt-4o-2024-08-06',
      server_address: 'api.openai.com',
      server_port: '443',
    };
    expect(s.value('gen_ai_client_operation_time_to_first_chunk_seconds_count', labels)).toBe(1);
    expect(s.value('gen_ai_client_operation_time_per_output_chunk_seconds_count', labels)).toBe(3);
    expect(
      s.value('gen_ai_client_token_usage_sum', { ...labels, gen_ai_token_type: 'input' }),
    ).toBe(10);
    expect(
      s.value('engine_calls_total', {
        engine_type: 'openai',
        operation: 'chat',
        status: 'success',
      }),
    ).toBe(1);
    expect(s.value('engine_tokens_total', { token_type: 'output' })).toBe(4);
    const [span] = tracing.named('chat gpt-4o');
    const open = (await metrics.expose('openmetrics')).body;
    expect(open).toContain(`trace_id="${span?.spanContext().traceId}"`);
    expect(open).toMatch(
      /gen_ai_client_operation_duration_seconds_bucket\{[^}]*\} 1 # \{trace_id="[0-9a-f]{32}",span_id="[0-9a-f]{16}"\}/,
    );
  });

  it('maps failures to error.type and the engine status closed set', async () => {
    const metrics = fresh();
    const timeout = Object.assign(new Error('Request timed out.'), { name: 'TimeoutError' });
    metrics.genai.startCall(call).fail(timeout);
    metrics.genai.startCall(call).fail(Object.assign(new Error('x'), { name: 'AbortError' }));
    metrics.genai.startCall(call).fail(Object.assign(new Error('slow down'), { status: 429 }));
    metrics.genai.startCall(call).fail(new Error('mine'), { errorType: 'quota_exhausted' });
    const s = await scrape(metrics);
    const byType = Object.fromEntries(
      s
        .series('gen_ai_client_operation_duration_seconds_count')
        .map((x) => [x.labels.error_type, x.value]),
    );
    expect(byType).toEqual({ timeout: 1, cancelled: 1, '429': 1, quota_exhausted: 1 });
    const statuses = s.series('engine_calls_total').map((x) => `${x.labels.status}=${x.value}`);
    expect(statuses.sort()).toEqual(['cancelled=1', 'failure=2', 'timeout=1']);
    expect(tracing.named('chat gpt-4o').map((x) => x.status.code)).toEqual([2, 2, 2, 2]);
  });

  it('puts spend on the workflow name from withWorkflow (never an id), and counts unpriced calls by reason', async () => {
    const metrics = fresh();
    metrics.genai.setPrices({
      currency: 'EUR',
      version: 'v7',
      models: [{ provider: 'openai', model: 'gpt-4o', input: 2.5, output: 10 }],
    });
    await metrics.genai.withWorkflow('triage', async () => {
      metrics.genai.startCall(call).end({ usage: { input: 1_000_000, output: 100_000 } });
      metrics.genai.startCall(call).end({ usage: { input: 1_000, cacheRead: 500 } });
      metrics.genai.startCall({ ...call, requestModel: 'unknown' }).end({ usage: { input: 1 } });
      metrics.genai.startCall(call).end();
    });
    const s = await scrape(metrics);
    expect(
      s.value('gen_ai_client_operation_cost_total', {
        workflow_name: 'triage',
        gen_ai_usage_cost_currency: 'EUR',
      }),
    ).toBe(3.5);
    const reasons = s.series('gen_ai_client_operation_unpriced_total').map((x) => x.labels.reason);
    expect(reasons.sort()).toEqual(['missing_price', 'no_usage', 'unknown_model']);
    expect(tracing.named('chat gpt-4o')[0]?.attributes).toMatchObject({
      'gen_ai.usage.cost.amount': 3.5,
      'ai_orchestrator.price_catalog.version': 'v7',
    });
  });

  it('folds model names past the label limit into __overflow__ and counts them', async () => {
    const metrics = fresh({ maxLabelValues: 3 });
    for (let i = 0; i < 5; i++)
      metrics.genai.startCall({ ...call, requestModel: `model-${i}` }).end();
    const s = await scrape(metrics);
    const models = s
      .series('gen_ai_client_operation_duration_seconds_count')
      .map((x) => x.labels.gen_ai_request_model);
    expect(models).toEqual(['model-0', 'model-1', 'model-2', '__overflow__']);
    expect(s.value('metrics_label_overflow_total', { label: 'gen_ai_request_model' })).toBe(2);
  });

  it('times tools and agents with their spans, nested under the agent', async () => {
    const metrics = fresh();
    await metrics.genai.invokeAgent({ name: 'planner', requestModel: 'gpt-4o' }, async () => {
      await metrics.genai.executeTool({ name: 'search', type: 'function' }, () => 'ok');
      await expect(
        metrics.genai.executeTool({ name: 'search' }, () => Promise.reject(new Error('down'))),
      ).rejects.toThrow('down');
    });
    const s = await scrape(metrics);
    expect(
      s.value('gen_ai_execute_tool_duration_seconds_count', { gen_ai_tool_name: 'search' }),
    ).toBe(2);
    expect(s.value('gen_ai_execute_tool_duration_seconds_count', { error_type: '_OTHER' })).toBe(1);
    expect(
      s.value('gen_ai_invoke_agent_duration_seconds_count', {
        gen_ai_agent_name: 'planner',
        gen_ai_request_model: 'gpt-4o',
      }),
    ).toBe(1);
    expect(s.body).toContain(
      'gen_ai_invoke_agent_duration_seconds_bucket{service="engine",gen_ai_agent_name="planner",gen_ai_request_model="gpt-4o",error_type="",le="409.6"} 1',
    );
    const [agent] = tracing.named('invoke_agent planner');
    const tools = tracing.named('execute_tool search');
    expect(tools.map((t) => t.parentSpanContext?.spanId)).toEqual([
      agent?.spanContext().spanId,
      agent?.spanContext().spanId,
    ]);
  });

  it('captures content only when asked, as JSON strings of the conventions, long strings cut', () => {
    const metrics = fresh();
    const content = {
      messages: [{ role: 'user', parts: [{ type: 'text', content: 'x'.repeat(5000) }] }],
    };
    metrics.genai.startCall({ ...call, content }).end();
    metrics.genai.startCall({ ...call, content, captureContent: true }).end({
      outputMessages: [
        { role: 'assistant', parts: [{ type: 'text', content: 'hi' }], finish_reason: 'stop' },
      ],
    });
    const [plain, captured] = tracing.named('chat gpt-4o');
    expect(plain?.attributes['gen_ai.input.messages']).toBeUndefined();
    const input = JSON.parse(String(captured?.attributes['gen_ai.input.messages'])) as {
      parts: { content: string }[];
    }[];
    expect(input[0]?.parts[0]?.content).toBe(`${'x'.repeat(4096)}…[truncated]`);
    expect(captured?.attributes['gen_ai.output.messages']).toBe(
      '[{"role":"assistant","parts":[{"type":"text","content":"hi"}],"finish_reason":"stop"}]',
    );
  });

  it('refuses bad input with a TypeError naming the field and the value, recording nothing', async () => {
    const metrics = fresh();
    expect(() => metrics.genai.startCall({ ...call, provider: '' })).toThrow(
      'startCall: provider must be a string with at least one non-whitespace character, got ""',
    );
    expect(() => metrics.genai.startCall({ ...call, serverPort: 70000 })).toThrow(
      'serverPort must be an integer from 1 to 65535, got 70000',
    );
    const c = metrics.genai.startCall(call);
    expect(() => c.end({ usage: { input: -1 } })).toThrow(
      'call.end: usage.input must be an integer >= 0, got -1',
    );
    expect(() => c.end({ usage: { input: 5, cacheRead: 9 } })).toThrow(
      'usage.input must be at least cacheRead + cacheWrite (9), got 5',
    );
    expect(c.done).toBe(false);
    expect(() => metrics.genai.withWorkflow('', () => 1)).toThrow('withWorkflow: workflowName');
    expect(
      (await scrape(metrics)).value('gen_ai_client_operation_duration_seconds_count'),
    ).toBeUndefined();
  });
});

describe('OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental', () => {
  const before = process.env.OTEL_SEMCONV_STABILITY_OPT_IN;
  afterAll(() => {
    if (before === undefined) delete process.env.OTEL_SEMCONV_STABILITY_OPT_IN;
    else process.env.OTEL_SEMCONV_STABILITY_OPT_IN = before;
  });

  it('emits the genai-repo names instead of the v1.41 ones, never both', async () => {
    process.env.OTEL_SEMCONV_STABILITY_OPT_IN = 'http, Gen_AI_Latest_Experimental ';
    const metrics = fresh();
    expect(metrics.genai.revision).toBe('latest');
    metrics.genai
      .startCall({ ...call, stream: true })
      .end({ responseModel: 'gpt-4o-2024-08-06', usage: { input: 30, output: 5, cacheRead: 10 } });
    metrics.genai.startCall(call).fail(Object.assign(new Error('x'), { status: 500 }));
    metrics.genai.startCall({ ...call, operation: 'embeddings' }).end({ usage: { input: 7 } });
    const s = await scrape(metrics);
    expect(
      s.value('gen_ai_client_inference_duration_seconds_count', { gen_ai_operation_name: 'chat' }),
    ).toBe(2);
    expect(
      s.value('gen_ai_client_operation_duration_seconds_count', {
        gen_ai_operation_name: 'embeddings',
      }),
    ).toBe(1);
    expect(
      s.value('gen_ai_client_inference_usage_input_tokens_total', {
        gen_ai_token_modality: 'unknown',
      }),
    ).toBe(30);
    expect(s.value('gen_ai_client_inference_usage_output_tokens_total')).toBe(5);
    // Failed inferences count too, with 0 (token-metrics.yaml).
    const inputs = s.series('gen_ai_client_inference_usage_input_tokens_total');
    expect(inputs.map((x) => [x.labels.gen_ai_response_model, x.value])).toEqual([
      ['gpt-4o-2024-08-06', 30],
      ['', 0],
    ]);
    expect(s.value('gen_ai_client_inference_operation_input_tokens_sum', { error_type: '' })).toBe(
      30,
    );
    expect(s.value('gen_ai_client_inference_usage_cache_read_input_tokens_total')).toBe(10);
    expect(s.body).not.toContain('gen_ai_client_token_usage');
    expect(s.body).not.toContain('gen_ai_client_operation_time_to_first_chunk');
  });
});
