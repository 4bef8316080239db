// What only one SDK family has: OpenAI's opt-in stream usage, Responses API and embeddings;
// @anthropic-ai/sdk 1.x's own spans.
import { describe, expect, it } from 'vitest';
import { REQUEST_MODEL, RESPONSE_MODEL, type Driver } from './drivers.js';
import { useHarness } from './harness.js';

export function openaiSpecific(driver: Driver): void {
  describe(`${driver.name}: OpenAI only`, () => {
    const h = useHarness(driver);

    it('a chat stream without stream_options.include_usage: no token metrics (the conventions forbid guessing), unpriced no_usage', async () => {
      await driver.stream(h.client());
      const s = await h.scrape();
      expect(s.value('gen_ai_client_operation_duration_seconds_count', { error_type: '' })).toBe(1);
      expect(s.value('gen_ai_client_token_usage_count')).toBeUndefined();
      expect(s.value('engine_tokens_total')).toBeUndefined();
      expect(s.value('gen_ai_client_operation_unpriced_total', { reason: 'no_usage' })).toBe(1);
      expect(h.fake.requests[0]?.body.stream_options).toBeUndefined(); // the request is the caller's
    });

    it('the Responses API, plain and streamed: operation chat, usage, time to first output chunk', async () => {
      const client = h.client();
      h.fake.enqueue({
        kind: 'ok',
        model: RESPONSE_MODEL,
        usage: { input: 100, output: 20, cacheRead: 40 },
      });
      expect(await driver.responses?.(client, false)).toContain('fake answer');
      h.fake.enqueue({
        kind: 'ok',
        model: RESPONSE_MODEL,
        usage: { input: 100, output: 20 },
        text: 'a b c',
      });
      expect(Number(await driver.responses?.(client, true))).toBeGreaterThan(3);
      const s = await h.scrape();
      const labels = {
        gen_ai_operation_name: 'chat',
        gen_ai_response_model: RESPONSE_MODEL,
        error_type: '',
      };
      expect(s.value('gen_ai_client_operation_duration_seconds_count', labels)).toBe(2);
      expect(s.value('gen_ai_client_token_usage_sum', { gen_ai_token_type: 'input' })).toBe(200);
      expect(s.value('gen_ai_client_inference_usage_cache_read_input_tokens_total')).toBe(40);
      expect(s.value('gen_ai_client_operation_time_to_first_chunk_seconds_count')).toBe(1);
      expect(s.value('gen_ai_client_operation_time_per_output_chunk_seconds_count')).toBe(2);
      expect(s.value('gen_ai_client_operation_cost_total')).toBeCloseTo(
        (60 * 2.5 + 40 * 1.25 + 20 * 10 + 100 * 2.5 + 20 * 10) / 1e6,
        15,
      );
      expect(
        h.tracing.named(`chat ${REQUEST_MODEL}`).map((x) => x.attributes['gen_ai.response.id']),
      ).toEqual(['resp_fake', 'resp_fake']);
    });

    it('embeddings: operation embeddings, input tokens only', async () => {
      expect(await driver.embeddings?.(h.client())).toBe(2);
      const s = await h.scrape();
      expect(
        s.value('gen_ai_client_operation_duration_seconds_count', {
          gen_ai_operation_name: 'embeddings',
          gen_ai_request_model: 'fake-embedding',
        }),
      ).toBe(1);
      expect(s.value('engine_calls_total', { operation: 'embeddings', status: 'success' })).toBe(1);
      expect(s.value('gen_ai_client_token_usage_count', { gen_ai_token_type: 'input' })).toBe(1);
      expect(
        s.value('gen_ai_client_token_usage_count', { gen_ai_token_type: 'output' }),
      ).toBeUndefined();
      expect(h.tracing.named('embeddings fake-embedding')).toHaveLength(1);
    });
  });
}

export function anthropicNativeTracing(driver: Driver): void {
  describe(`${driver.name}: the SDK's own spans`, () => {
    const h = useHarness(driver);

    it('leaves the span to the SDK when it traces itself (one span per call, never two), and still records every metric', async () => {
      const client = h.client({ nativeTracing: true });
      await h.inWorkflow(async () => {
        await driver.plain(client);
        await driver.stream(client);
      });
      const sdkSpans = h.tracing.named('anthropic.messages.create');
      expect(sdkSpans).toHaveLength(2);
      expect(h.tracing.named(`chat ${REQUEST_MODEL}`)).toEqual([]);
      const s = await h.scrape();
      expect(s.value('gen_ai_client_operation_duration_seconds_count', { error_type: '' })).toBe(2);
      expect(s.value('gen_ai_client_operation_time_to_first_chunk_seconds_count')).toBe(1);
      expect(s.value('engine_calls_total', { status: 'success' })).toBe(2);
    });
  });
}
