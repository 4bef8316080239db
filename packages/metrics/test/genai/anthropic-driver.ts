// The @anthropic-ai/sdk driver, for 0.x and 1.x.
import type { FakeLlm } from '@ai-orchestrator/testkit/fake-llm';
import {
  drain,
  REQUEST_MODEL,
  TOOL,
  type ApiPromise,
  type ClientSettings,
  type Driver,
  type SdkStream,
} from './drivers.js';

interface Message {
  content: ({ type: 'text'; text: string } | { type: 'tool_use'; name: string })[];
}

interface AnthropicClient {
  messages: {
    create(body: object, options?: object): ApiPromise<unknown>;
    stream(body: object): { finalText(): Promise<string> };
  };
}

type AnthropicConstructor = new (options: Record<string, unknown>) => object;

const base = {
  model: REQUEST_MODEL,
  max_tokens: 256,
  messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
};
const tools = [{ name: TOOL.name, description: TOOL.description, input_schema: TOOL.parameters }];

function text(m: Message): string {
  const first = m.content[0];
  return first?.type === 'tool_use' ? first.name : (first?.text ?? '');
}

/** A driver for one @anthropic-ai/sdk line; `tracesItself` when it has native OpenTelemetry. */
export function anthropicDriver(
  name: string,
  Anthropic: AnthropicConstructor,
  tracesItself: boolean,
): Driver {
  const sdk = (client: object) => client as AnthropicClient;
  return {
    name,
    provider: 'anthropic',
    tracesItself,
    client: (fake: FakeLlm, s: ClientSettings = {}) =>
      new Anthropic({
        apiKey: 'test-key',
        baseURL: fake.anthropicBaseURL,
        maxRetries: s.maxRetries ?? 0,
        ...(s.timeout === undefined ? {} : { timeout: s.timeout }),
        // The SDK's spans are its own unless turned off (1.x reads the option at construction).
        ...(tracesItself && !s.nativeTracing ? { openTelemetry: false } : {}),
      }),
    async plain(client, o = {}) {
      const body = { ...base, ...(o.tool ? { tools } : {}) };
      return text(
        (await sdk(client).messages.create(
          body,
          o.signal ? { signal: o.signal } : undefined,
        )) as Message,
      );
    },
    async stream(client, o = {}) {
      const body = { ...base, stream: true, ...(o.tool ? { tools } : {}) };
      const options = o.signal ? { signal: o.signal } : undefined;
      return drain((await sdk(client).messages.create(body, options)) as SdkStream, o.abortAfter);
    },
    helper: (client) => sdk(client).messages.stream(base).finalText(),
    async withResponse(client) {
      const r = await sdk(client).messages.create(base).withResponse();
      return { text: text(r.data as Message), status: r.response.status };
    },
    async asResponse(client) {
      return (await sdk(client).messages.create(base).asResponse()).text();
    },
  };
}
