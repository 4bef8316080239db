// What every instrumented SDK must record for calls that succeed: one call per request in both
// the gen_ai_* and engine_* metrics, every token kind, spend to the cent, time to first chunk, and
// one CLIENT span per call under the workflow span. Each SDK major runs it with its driver.
import type { FakeUsage } from '@ai-orchestrator/testkit/fake-llm';
import { describe, expect, it } from 'vitest';
import { REQUEST_MODEL, RESPONSE_MODEL, TOOL, type Driver } from './drivers.js';
import { useHarness, WORKFLOW } from './harness.js';

const USAGE: FakeUsage = {
  input: 1_200_000,
  output: 300_000,
  cacheRead: 150_000,
  cacheWrite: 50_000,
  reasoning: 40_000,
};
// 1M uncached x $2.50 + 150k x $1.25 + 50k x $3.125 + 300k x $10, per million tokens.
const COST = 2.5 + 0.1875 + 0.15625 + 3;
const MODELS = { gen_ai_request_model: REQUEST_MODEL, gen_ai_response_model: RESPONSE_MODEL };
const CHUNKS = 6;
const TEXT = 'one two three four five six'; // six output chunks

export function successSuite(driver: Driver): void {
  describe(`${driver.name}: calls that succeed`, () => {
    const h = useHarness(driver);
    const provider = { gen_ai_provider_name: driver.provider, gen_ai_operation_name: 'chat' };

    it('records a plain call once, with every token kind, its spend to the cent and one CLIENT span under the workflow', async () => {
      const client = h.client();
      h.fake.enqueue({ kind: 'ok', usage: USAGE, model: RESPONSE_MODEL });
      const { value, spanId } = await h.inWorkflow(() => driver.plain(client));
      expect(value).toContain('fake answer');
      const s = await h.scrape();
      const labels = { ...provider, ...MODELS, ...h.server };
      expect(
        s.value('gen_ai_client_operation_duration_seconds_count', { ...labels, error_type: '' }),
      ).toBe(1);
      expect(
        s.value('gen_ai_client_token_usage_sum', { ...labels, gen_ai_token_type: 'input' }),
      ).toBe(USAGE.input);
      expect(
        s.value('gen_ai_client_token_usage_sum', { ...labels, gen_ai_token_type: 'output' }),
      ).toBe(USAGE.output);
      expect(s.value('gen_ai_client_inference_usage_cache_read_input_tokens_total', labels)).toBe(
        USAGE.cacheRead,
      );
      expect(s.value('gen_ai_client_inference_usage_cache_write_input_tokens_total', labels)).toBe(
        USAGE.cacheWrite,
      );
      expect(s.value('gen_ai_client_inference_usage_reasoning_output_tokens_total', labels)).toBe(
        USAGE.reasoning,
      );
      expect(s.value('gen_ai_client_operation_time_to_first_chunk_seconds_count')).toBeUndefined();
      expect(
        s.value('engine_calls_total', {
          engine_type: driver.provider,
          operation: 'chat',
          status: 'success',
        }),
      ).toBe(1);
      expect(s.value('engine_tokens_total', { token_type: 'input' })).toBe(USAGE.input);
      expect(s.value('engine_tokens_total', { token_type: 'output' })).toBe(USAGE.output);
      const cost = s.value('gen_ai_client_operation_cost_total', {
        gen_ai_provider_name: driver.provider,
        gen_ai_request_model: REQUEST_MODEL,
        gen_ai_usage_cost_currency: 'USD',
        workflow_name: WORKFLOW,
      });
      expect(cost).toBe(COST);
      expect(cost?.toFixed(2)).toBe('5.84');
      expect(s.value('gen_ai_client_operation_unpriced_total')).toBeUndefined();

      const [span, ...more] = h.tracing.named(`chat ${REQUEST_MODEL}`);
      expect(more).toEqual([]);
      expect(span?.kind).toBe(2); // CLIENT
      expect(span?.parentSpanContext?.spanId).toBe(spanId);
      expect(span?.attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': driver.provider,
        'gen_ai.request.model': REQUEST_MODEL,
        'gen_ai.response.model': RESPONSE_MODEL,
        'gen_ai.response.id': driver.provider === 'openai' ? 'chatcmpl-fake' : 'msg_fake',
        'gen_ai.response.finish_reasons': [driver.provider === 'openai' ? 'stop' : 'end_turn'],
        'gen_ai.usage.input_tokens': USAGE.input,
        'gen_ai.usage.output_tokens': USAGE.output,
        'gen_ai.usage.cache_read.input_tokens': USAGE.cacheRead,
        'gen_ai.usage.cache_creation.input_tokens': USAGE.cacheWrite,
        'gen_ai.usage.cost.amount': COST,
        'gen_ai.usage.cost.currency': 'USD',
        'gen_ai.usage.cost.source': 'local',
        'server.address': '127.0.0.1',
        'server.port': Number(h.server.server_port),
      });
      expect(span?.attributes['gen_ai.input.messages']).toBeUndefined();
    });

    it('times a streamed call: first chunk once, each later chunk, usage from the stream', async () => {
      const client = h.client();
      h.fake.enqueue({
        kind: 'ok',
        text: TEXT,
        usage: { input: 40, output: 6 },
        model: RESPONSE_MODEL,
        firstChunkMs: 30,
      });
      await h.inWorkflow(() => driver.stream(client, { usage: true }));
      const s = await h.scrape();
      const labels = { ...provider, ...MODELS };
      expect(s.value('gen_ai_client_operation_time_to_first_chunk_seconds_count', labels)).toBe(1);
      expect(
        s.value('gen_ai_client_operation_time_to_first_chunk_seconds_sum', labels),
      ).toBeGreaterThanOrEqual(0.025);
      expect(s.value('gen_ai_client_operation_time_per_output_chunk_seconds_count', labels)).toBe(
        CHUNKS - 1,
      );
      expect(
        s.value('gen_ai_client_operation_duration_seconds_count', { ...labels, error_type: '' }),
      ).toBe(1);
      expect(s.value('gen_ai_client_token_usage_sum', { gen_ai_token_type: 'input' })).toBe(40);
      expect(s.value('gen_ai_client_token_usage_sum', { gen_ai_token_type: 'output' })).toBe(6);
      expect(s.value('gen_ai_client_operation_cost_total')).toBe((40 * 2.5 + 6 * 10) / 1e6);
      const [span] = h.tracing.named(`chat ${REQUEST_MODEL}`);
      expect(span?.attributes['gen_ai.request.stream']).toBe(true);
      expect(span?.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThanOrEqual(0.025);
    });

    it('records tool calls, plain and streamed, with the calls in the captured output and the tool run nested', async () => {
      const client = h.client({}, { captureContent: true });
      const toolCall = { id: 'call_1', name: TOOL.name, arguments: { city: 'Paris' } };
      h.fake.enqueue(
        { kind: 'ok', toolCall, model: RESPONSE_MODEL },
        { kind: 'ok', toolCall, model: RESPONSE_MODEL },
      );
      const { spanId } = await h.inWorkflow(async () => {
        expect(await driver.plain(client, { tool: true })).toBe(TOOL.name);
        await driver.stream(client, { tool: true, usage: true });
        await h.metrics.genai.executeTool(
          { name: TOOL.name, type: 'function', callId: 'call_1' },
          () => 'sunny',
        );
      });
      const reason = driver.provider === 'openai' ? 'tool_calls' : 'tool_use';
      const spans = h.tracing.named(`chat ${REQUEST_MODEL}`);
      expect(spans.map((s) => s.attributes['gen_ai.response.finish_reasons'])).toEqual([
        [reason],
        [reason],
      ]);
      for (const span of spans) {
        const output = JSON.parse(String(span.attributes['gen_ai.output.messages'])) as {
          parts: unknown[];
        }[];
        expect(output[0]?.parts).toContainEqual(
          expect.objectContaining({
            type: 'tool_call',
            name: TOOL.name,
            arguments: { city: 'Paris' },
          }),
        );
        expect(String(span.attributes['gen_ai.input.messages'])).toContain(
          'What is the weather in Paris?',
        );
        expect(String(span.attributes['gen_ai.tool.definitions'])).toContain(TOOL.name);
      }
      const [tool] = h.tracing.named(`execute_tool ${TOOL.name}`);
      expect(tool?.kind).toBe(0); // INTERNAL
      expect(tool?.parentSpanContext?.spanId).toBe(spanId);
      const s = await h.scrape();
      expect(
        s.value('gen_ai_execute_tool_duration_seconds_count', {
          gen_ai_tool_name: TOOL.name,
          gen_ai_tool_type: 'function',
          error_type: '',
        }),
      ).toBe(1);
      expect(s.value('engine_calls_total', { status: 'success' })).toBe(2);
    });

    it("records the SDK's helpers once each: its stream helper and withResponse(); asResponse() alone keeps its body", async () => {
      const client = h.client();
      const before = h.fake.requests.length;
      expect(await driver.helper(client)).toContain('fake answer');
      const r = await driver.withResponse(client);
      expect(r).toMatchObject({
        status: 200,
        text: expect.stringContaining('fake answer') as unknown,
      });
      const raw = await driver.asResponse(client);
      expect(JSON.parse(raw)).toMatchObject({ model: REQUEST_MODEL });
      const s = await h.scrape();
      expect(s.value('gen_ai_client_operation_duration_seconds_count')).toBe(2);
      expect(s.value('engine_calls_total')).toBe(2);
      expect(h.fake.requests.length - before).toBe(3);
    });
  });
}
