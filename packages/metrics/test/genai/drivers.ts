// One driver per SDK family: how to make each kind of request with the real client. The suite
// (sdk-suite.ts) states what every instrumented client must record; a driver only speaks its SDK.
import type { FakeLlm } from '@ai-orchestrator/testkit/fake-llm';

/** The request model of every test call; the fake answers with RESPONSE_MODEL. */
export const REQUEST_MODEL = 'fake-model';
export const RESPONSE_MODEL = 'fake-model-2026-01-01';

export interface ClientSettings {
  readonly maxRetries?: number;
  /** Client timeout, ms. */
  readonly timeout?: number;
  /** @anthropic-ai/sdk >= 0.134: leave the SDK's own tracing on (its default). */
  readonly nativeTracing?: boolean;
}

export interface StreamOptions {
  readonly tool?: boolean;
  /** OpenAI chat: ask for the usage chunk (stream_options.include_usage). */
  readonly usage?: boolean;
  readonly signal?: AbortSignal;
  /** Abort through the stream's controller after this many events. */
  readonly abortAfter?: number;
}

export interface Driver {
  readonly name: string;
  readonly provider: 'openai' | 'anthropic';
  /** Whether the SDK makes its own spans when asked (`nativeTracing`). */
  readonly tracesItself: boolean;
  client(fake: FakeLlm, settings?: ClientSettings): object;
  /** A non-streaming call; the answer's text, or the tool call's name. */
  plain(client: object, options?: { tool?: boolean; signal?: AbortSignal }): Promise<string>;
  /** A streaming call read to its end; the events read. */
  stream(client: object, options?: StreamOptions): Promise<number>;
  /** The SDK's stream helper to its final text (ChatCompletionStream, MessageStream). */
  helper(client: object): Promise<string>;
  withResponse(client: object): Promise<{ text: string; status: number }>;
  /** `.asResponse()` alone: the raw body. */
  asResponse(client: object): Promise<string>;
  responses?(client: object, stream: boolean): Promise<string>;
  embeddings?(client: object): Promise<number>;
}

export const TOOL = {
  name: 'get_weather',
  description: 'Weather of a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

/** What the drivers need of a client method's result: a promise with the SDK's extras. */
export interface ApiPromise<T> extends Promise<T> {
  withResponse(): Promise<{ data: T; response: Response }>;
  asResponse(): Promise<Response>;
}

export interface SdkStream extends AsyncIterable<unknown> {
  readonly controller: AbortController;
}

/** Reads a stream; aborts its controller after `abortAfter` events. */
export async function drain(stream: SdkStream, abortAfter?: number): Promise<number> {
  let events = 0;
  for await (const _event of stream) {
    events += 1;
    if (events === abortAfter) stream.controller.abort();
  }
  return events;
}
