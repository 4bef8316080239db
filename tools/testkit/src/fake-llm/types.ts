// What a test (or the demo) asks the fake provider to do with one request.

/** Token counts in the conventions' terms: `input` includes cached, `output` includes reasoning. */
export interface FakeUsage {
  readonly input: number;
  readonly output: number;
  readonly cacheRead?: number;
  readonly cacheWrite?: number;
  readonly reasoning?: number;
}

export interface FakeToolCall {
  readonly id?: string;
  readonly name: string;
  readonly arguments: Readonly<Record<string, unknown>>;
}

/** A normal answer: JSON, or SSE when the request asked to stream. */
export interface FakeOk {
  readonly kind: 'ok';
  /** The answer's text (default: a sentence about the prompt). Ignored when `toolCall` is set. */
  readonly text?: string;
  readonly toolCall?: FakeToolCall;
  /** Default: estimated from the request and the text (4 characters a token). */
  readonly usage?: FakeUsage;
  /** The response model (default: the requested one). */
  readonly model?: string;
  /** Wait before the first output chunk (streams) or the whole answer (JSON), ms. */
  readonly firstChunkMs?: number;
  /** Wait between output chunks, ms. */
  readonly chunkMs?: number;
}

/** An HTTP error with the provider's error body; `retryAfter*` set the headers the SDKs read. */
export interface FakeError {
  readonly kind: 'error';
  readonly status: number;
  readonly retryAfterSeconds?: number;
  readonly retryAfterMs?: number;
  readonly message?: string;
}

/** A stream that goes wrong after `afterChunks` output chunks. */
export interface FakeBrokenStream {
  /**
   * `cut`: the socket is destroyed; `end-early`: the body ends cleanly without the final events;
   * `stream-error`: the provider's in-stream error event, then the end.
   */
  readonly kind: 'cut' | 'end-early' | 'stream-error';
  readonly afterChunks: number;
  readonly chunkMs?: number;
  /** The in-stream error's type (`stream-error` only; default `overloaded_error` / `server_error`). */
  readonly errorType?: string;
}

/** Headers come only after `ms`: a client timeout shorter than that fires first. */
export interface FakeStall {
  readonly kind: 'stall';
  readonly ms: number;
}

export type FakeReply = FakeOk | FakeError | FakeBrokenStream | FakeStall;

export type FakeApi =
  'openai.chat' | 'openai.responses' | 'openai.embeddings' | 'anthropic.messages';

/** One request as the fake received it. */
export interface FakeRequest {
  readonly api: FakeApi;
  readonly path: string;
  readonly body: Readonly<Record<string, unknown>>;
  readonly stream: boolean;
  /** `x-stainless-retry-count`: 0 for the first attempt. */
  readonly attempt: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export type Responder = (request: FakeRequest) => FakeReply;

export interface FakeLlm {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** `baseURL` for the openai SDK (`…/v1`). */
  readonly openaiBaseURL: string;
  /** `baseURL` for @anthropic-ai/sdk (the SDK adds `/v1/messages`). */
  readonly anthropicBaseURL: string;
  /** Every request so far, oldest first. */
  readonly requests: readonly FakeRequest[];
  /** Answers the next requests with these replies, in order, before the responder. */
  enqueue(...replies: FakeReply[]): void;
  /** Sets how requests without a queued reply are answered (default: `{ kind: 'ok' }`). */
  respondWith(responder: Responder): void;
  close(): Promise<void>;
}

export interface FakeLlmOptions {
  readonly port?: number;
  readonly host?: string;
  readonly responder?: Responder;
}
