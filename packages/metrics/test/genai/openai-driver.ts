// The openai driver, for every major (4.x, 5.x, 6.x): the same calls, the client class differs.
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

interface ChatCompletion {
  choices: { message: { content: string | null; tool_calls?: { function: { name: string } }[] } }[];
}

/** The parts of an openai client the driver calls, across majors. */
interface OpenAIClient {
  chat: {
    completions: {
      create(body: object, options?: object): ApiPromise<unknown>;
      stream?(body: object): { finalChatCompletion(): Promise<ChatCompletion> };
    };
  };
  beta?: {
    chat?: {
      completions?: { stream?(body: object): { finalChatCompletion(): Promise<ChatCompletion> } };
    };
  };
  responses: { create(body: object): ApiPromise<unknown> };
  embeddings: { create(body: object): ApiPromise<{ data: { embedding: number[] }[] }> };
}

type OpenAIConstructor = new (options: Record<string, unknown>) => object;

const messages = [{ role: 'user', content: 'What is the weather in Paris?' }];
const tools = [{ type: 'function', function: TOOL }];

function text(c: ChatCompletion): string {
  const m = c.choices[0]?.message;
  return m?.tool_calls?.[0]?.function.name ?? m?.content ?? '';
}

/** A driver for one openai major; `OpenAI` is that major's default export. */
export function openaiDriver(name: string, OpenAI: OpenAIConstructor): Driver {
  const sdk = (client: object) => client as OpenAIClient;
  return {
    name,
    provider: 'openai',
    tracesItself: false,
    client: (fake: FakeLlm, s: ClientSettings = {}) =>
      new OpenAI({
        apiKey: 'test-key',
        baseURL: fake.openaiBaseURL,
        maxRetries: s.maxRetries ?? 0,
        ...(s.timeout === undefined ? {} : { timeout: s.timeout }),
      }),
    async plain(client, o = {}) {
      const body = { model: REQUEST_MODEL, messages, ...(o.tool ? { tools } : {}) };
      const options = o.signal ? { signal: o.signal } : undefined;
      return text((await sdk(client).chat.completions.create(body, options)) as ChatCompletion);
    },
    async stream(client, o = {}) {
      const body = {
        model: REQUEST_MODEL,
        messages,
        stream: true,
        ...(o.usage ? { stream_options: { include_usage: true } } : {}),
        ...(o.tool ? { tools } : {}),
      };
      const options = o.signal ? { signal: o.signal } : undefined;
      const stream = (await sdk(client).chat.completions.create(body, options)) as SdkStream;
      return drain(stream, o.abortAfter);
    },
    async helper(client) {
      const c = sdk(client);
      const body = { model: REQUEST_MODEL, messages, stream_options: { include_usage: true } };
      const runner = c.chat.completions.stream?.(body) ?? c.beta?.chat?.completions?.stream?.(body);
      if (!runner) throw new Error(`${name} has no chat stream helper`);
      return text(await runner.finalChatCompletion());
    },
    async withResponse(client) {
      const r = await sdk(client)
        .chat.completions.create({ model: REQUEST_MODEL, messages })
        .withResponse();
      return { text: text(r.data as ChatCompletion), status: r.response.status };
    },
    async asResponse(client) {
      const res = await sdk(client)
        .chat.completions.create({ model: REQUEST_MODEL, messages })
        .asResponse();
      return res.text();
    },
    async responses(client, stream) {
      const body = { model: REQUEST_MODEL, input: 'What is the weather in Paris?', stream };
      const result = await sdk(client).responses.create(body);
      if (!stream) return (result as { output_text: string }).output_text;
      return String(await drain(result as SdkStream));
    },
    async embeddings(client) {
      const r = await sdk(client).embeddings.create({ model: 'fake-embedding', input: ['a', 'b'] });
      return r.data.length;
    },
  };
}
