// Public types of the GenAI half of @ai-orchestrator/metrics.
import type { GenAiRevision } from './semconv.js';

/**
 * Token counts of one call, as the conventions define them: `input` includes cached input tokens
 * and `output` includes reasoning tokens; the other three are subsets, never added on top.
 */
export interface GenAiUsage {
  readonly input?: number;
  readonly output?: number;
  readonly cacheRead?: number;
  readonly cacheWrite?: number;
  readonly reasoning?: number;
}

/** One part of a message, in the conventions' JSON schema (`{ type: 'text', content }`, …). */
export interface GenAiMessagePart {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** A message of `gen_ai.input.messages` / `gen_ai.output.messages`. */
export interface GenAiMessage {
  readonly role: string;
  readonly parts: readonly GenAiMessagePart[];
  readonly finish_reason?: string;
}

/** Prompt-side content, captured only when content capture is on. */
export interface GenAiInputContent {
  readonly messages?: readonly GenAiMessage[];
  readonly systemInstructions?: readonly GenAiMessagePart[];
  readonly toolDefinitions?: readonly unknown[];
}

export type GenAiAttributeValue = string | number | boolean | string[] | number[] | boolean[];

export interface GenAiCallOptions {
  /** `gen_ai.provider.name`: `openai`, `anthropic`, `azure.ai.openai`, … or your own. */
  readonly provider: string;
  /** `gen_ai.operation.name`: `chat`, `embeddings`, `text_completion`, … */
  readonly operation: string;
  readonly requestModel?: string;
  readonly serverAddress?: string;
  readonly serverPort?: number;
  /** A streaming call: time to first chunk and per chunk are recorded from chunk() calls. */
  readonly stream?: boolean;
  /** `workflow_name` of the spend counters (default: the enclosing withWorkflow()). */
  readonly workflowName?: string;
  /** `engine_type` of the engine_* metrics (default: the provider). */
  readonly engineType?: string;
  /** Extra request attributes for the span (`gen_ai.request.max_tokens`, …). */
  readonly attributes?: Readonly<Record<string, GenAiAttributeValue>>;
  readonly content?: GenAiInputContent;
  /** Overrides OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT for this call. */
  readonly captureContent?: boolean;
  /** Start no span (for instrumentations that leave spans to another tracer). */
  readonly span?: boolean;
}

export interface GenAiCallResult {
  readonly responseModel?: string | undefined;
  readonly responseId?: string | undefined;
  readonly finishReasons?: readonly string[] | undefined;
  readonly usage?: GenAiUsage | undefined;
  readonly outputMessages?: readonly GenAiMessage[] | undefined;
  /** Extra response attributes for the span (`openai.response.system_fingerprint`, …). */
  readonly attributes?: Readonly<Record<string, GenAiAttributeValue>> | undefined;
}

export interface GenAiFailure extends GenAiCallResult {
  /** `error.type` to record instead of the one derived from the error. */
  readonly errorType?: string;
}

/** A span-backed operation in flight; the first end() or fail() counts, later ones do nothing. */
export interface GenAiOperation<R> {
  readonly done: boolean;
  end(result?: R): void;
  fail(error: unknown, details?: GenAiFailure): void;
  /** Runs `fn` with this operation's span active, so spans started inside nest under it. */
  run<T>(fn: () => T): T;
}

/** One model call: start → firstChunk/chunk → end(usage) | fail(error). */
export interface GenAiCall extends GenAiOperation<GenAiCallResult> {
  /** The first output chunk arrived (time to first chunk). chunk() calls it when needed. */
  firstChunk(): void;
  /** An output chunk arrived: the first one is the time to first chunk, later ones time per chunk. */
  chunk(): void;
}

export interface GenAiToolOptions {
  /** `gen_ai.tool.name`. */
  readonly name: string;
  /** `gen_ai.tool.type`: `function`, `extension` or `datastore`. */
  readonly type?: string;
  readonly callId?: string;
  readonly agentName?: string;
}

export interface GenAiAgentOptions {
  /** `gen_ai.agent.name`. */
  readonly name: string;
  readonly id?: string;
  /** Only when the agent runs one model. */
  readonly requestModel?: string;
  /** A remote agent (span kind CLIENT); local agents are INTERNAL. */
  readonly remote?: boolean;
}

/** Prices of one model, per million tokens, in the catalog's currency. */
export interface ModelPrice {
  readonly provider: string;
  readonly model: string;
  /** Uncached input tokens. */
  readonly input: number;
  /** Output tokens, reasoning included (providers bill reasoning as output). */
  readonly output: number;
  readonly cacheRead?: number;
  readonly cacheWrite?: number;
}

export interface PriceCatalog {
  /** ISO 4217 code, e.g. `USD`. */
  readonly currency: string;
  /** When or which prices these are (`2026-11-01`, `v3`): goes on every priced span. */
  readonly version: string;
  readonly models: readonly ModelPrice[];
}

/** `metrics.genai`: GenAI calls, tools, agents and spend of one service. */
export interface GenAiRecorder {
  /** The conventions' revision this process emits (see the README). */
  readonly revision: GenAiRevision;
  /** Whether calls capture content by default (OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT). */
  readonly captureContent: boolean;
  /**
   * Starts one model call.
   * @example
   * const call = metrics.genai.startCall({ provider: 'openai', operation: 'chat', requestModel: 'gpt-4o' });
   * call.end({ responseModel: 'gpt-4o-2024-08-06', usage: { input: 120, output: 40 } });
   */
  startCall(options: GenAiCallOptions): GenAiCall;
  /** Starts one tool execution (`gen_ai.execute_tool.duration`, an `execute_tool {name}` span). */
  startTool(options: GenAiToolOptions): GenAiOperation<void>;
  /** Starts one agent invocation (`gen_ai.invoke_agent.duration`, an `invoke_agent {name}` span). */
  startAgent(options: GenAiAgentOptions): GenAiOperation<void>;
  /** Runs `fn` as a tool execution: ended when it resolves, failed when it throws. */
  executeTool<T>(options: GenAiToolOptions, fn: () => T | Promise<T>): Promise<T>;
  /** Runs `fn` as an agent invocation: ended when it resolves, failed when it throws. */
  invokeAgent<T>(options: GenAiAgentOptions, fn: () => T | Promise<T>): Promise<T>;
  /** Runs `fn` with `workflowName` as the workflow of every call started inside it. */
  withWorkflow<T>(workflowName: string, fn: () => T): T;
  /** Sets (or with `undefined` clears) the price catalog; throws a TypeError naming a bad field. */
  setPrices(catalog: PriceCatalog | undefined): void;
}
