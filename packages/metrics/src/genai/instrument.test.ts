// instrumentOpenAI/instrumentAnthropic around the real clients: input checks, one wrap per client,
// never a broken call when our recording fails, and no second span next to the official
// @opentelemetry/instrumentation-openai.
import { createRequire } from 'node:module';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import { startFakeLlm, type FakeLlm } from '@ai-orchestrator/testkit/fake-llm';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { installTracing, type TestTracing } from '../../test/genai/otel.js';
import { scrape } from '../../test/genai/scrape.js';
import {
  createMetrics,
  instrumentAnthropic,
  instrumentOpenAI,
  type GenAiRecorder,
} from '../index.js';

const body = { model: 'fake-model', messages: [{ role: 'user' as const, content: 'hi' }] };

describe('instrumentOpenAI / instrumentAnthropic', () => {
  let fake: FakeLlm;
  let tracing: TestTracing;
  beforeAll(async () => {
    tracing = installTracing();
    fake = await startFakeLlm();
  });
  afterAll(async () => {
    await fake.close();
    await tracing.uninstall();
  });
  const metrics = () =>
    createMetrics({
      serviceName: 'engine',
      registry: new Registry(),
      collectDefaultMetrics: false,
    });
  const client = () => new OpenAI({ apiKey: 'k', baseURL: fake.openaiBaseURL, maxRetries: 0 });

  it('refuses what is not a client or not the metrics, naming the field', () => {
    const m = metrics();
    expect(() => instrumentOpenAI({}, { metrics: m })).toThrow(
      'instrumentOpenAI: client must be a client instance with chat.completions.create(), got an object',
    );
    expect(() => instrumentAnthropic(client(), { metrics: m })).toThrow(
      'instrumentAnthropic: client must be a client instance with messages.create()',
    );
    expect(() => instrumentOpenAI(client(), { metrics: {} as { genai: GenAiRecorder } })).toThrow(
      'instrumentOpenAI: options.metrics must be the object createMetrics() returns, got an object',
    );
    expect(() => instrumentOpenAI(client(), { metrics: m, provider: '' })).toThrow(
      'instrumentOpenAI: provider must be a string with at least one non-whitespace character',
    );
  });

  it('wraps one client once, leaves other clients alone, and records under the given provider', async () => {
    const m = metrics();
    const vllm = instrumentOpenAI(instrumentOpenAI(client(), { metrics: m, provider: 'vllm' }), {
      metrics: m,
    });
    const plain = client();
    await vllm.chat.completions.create(body);
    await plain.chat.completions.create(body);
    const s = await scrape(m);
    expect(s.value('gen_ai_client_operation_duration_seconds_count')).toBe(1);
    expect(s.value('engine_calls_total', { engine_type: 'vllm' })).toBe(1);
    expect(Object.hasOwn(plain.chat.completions, 'create')).toBe(false);
  });

  it("records the SDK's parse() helper once, through the same create()", async () => {
    const m = metrics();
    const c = instrumentOpenAI(client(), { metrics: m });
    const parsed = await c.chat.completions.parse(body);
    expect(parsed.choices[0]?.message.content).toContain('fake answer');
    expect(
      (await scrape(m)).value('gen_ai_client_operation_duration_seconds_count', { error_type: '' }),
    ).toBe(1);
  });

  it("records each model call of the SDK's runTools() loop, the tool call and the answer", async () => {
    const m = metrics();
    const c = instrumentOpenAI(client(), { metrics: m });
    fake.enqueue({ kind: 'ok', toolCall: { name: 'get_weather', arguments: { city: 'Paris' } } });
    const runner = c.chat.completions.runTools({
      ...body,
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Weather of a city',
            function: () => 'sunny',
            parse: (text: string): unknown => JSON.parse(text),
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
          },
        },
      ],
    });
    expect(await runner.finalContent()).toContain('fake answer');
    const s = await scrape(m);
    expect(s.value('gen_ai_client_operation_duration_seconds_count', { error_type: '' })).toBe(2);
  });

  it('records beta.messages of an Anthropic client too', async () => {
    const m = metrics();
    const c = instrumentAnthropic(
      new Anthropic({
        apiKey: 'k',
        baseURL: fake.anthropicBaseURL,
        maxRetries: 0,
        openTelemetry: false,
      }),
      { metrics: m },
    );
    await c.beta.messages.create({
      model: 'fake-model',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(fake.requests.at(-1)?.path).toBe('/v1/messages');
    const s = await scrape(m);
    expect(
      s.value('gen_ai_client_operation_duration_seconds_count', {
        gen_ai_provider_name: 'anthropic',
        error_type: '',
      }),
    ).toBe(1);
    expect(tracing.named('chat fake-model').at(-1)?.attributes['gen_ai.response.id']).toBe(
      'msg_fake',
    );
  });

  it('never breaks the call when recording fails: the answer comes back, one warning is emitted', async () => {
    const broken = {
      genai: {
        captureContent: false,
        startCall: () => {
          throw new Error('recorder down');
        },
      } as unknown as GenAiRecorder,
    };
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const c = instrumentOpenAI(client(), { metrics: broken });
      const answer = await c.chat.completions.create(body);
      expect(answer.choices[0]?.message.content).toContain('fake answer');
      const stream = await c.chat.completions.create({ ...body, stream: true });
      let chunks = 0;
      for await (const _chunk of stream) chunks += 1;
      expect(chunks).toBeGreaterThan(1);
      expect(
        warn.mock.calls.filter(([m]) => String(m).includes('recorder down')).length,
      ).toBeLessThanOrEqual(1);
    } finally {
      warn.mockRestore();
    }
  });

  it('leaves spans to @opentelemetry/instrumentation-openai when it has patched the SDK (one span per call), metrics stay ours', async () => {
    // Enabled, the official instrumentation hooks require() and patches the SDK's prototypes.
    const official = new OpenAIInstrumentation();
    const sdk = createRequire(import.meta.url)('openai') as { OpenAI: typeof OpenAI };
    try {
      const m = metrics();
      const c = instrumentOpenAI(new sdk.OpenAI({ apiKey: 'k', baseURL: fake.openaiBaseURL }), {
        metrics: m,
      });
      tracing.exporter.reset();
      await c.chat.completions.create(body);
      const spans = tracing.spans().filter((s) => s.name.startsWith('chat '));
      expect(spans.map((s) => s.instrumentationScope.name)).toEqual([
        '@opentelemetry/instrumentation-openai',
      ]);
      expect((await scrape(m)).value('gen_ai_client_operation_duration_seconds_count')).toBe(1);
    } finally {
      official.disable();
    }
  });
});
