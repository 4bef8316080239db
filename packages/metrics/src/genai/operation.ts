// Tool executions and agent invocations: a span (`execute_tool {name}`, `invoke_agent {name}`)
// and one duration observation whose value is the span's duration, as the conventions ask.
import { performance } from 'node:perf_hooks';
import type { Attributes } from '@opentelemetry/api';
import { activeTraceIds, exemplarLabels } from '../exemplars.js';
import { wellFormed } from '../labels.js';
import { invalid, optionalName, requireName } from '../validate.js';
import { classifyError } from './error-type.js';
import type { OperationRecord } from './record.js';
import { ATTR } from './semconv.js';
import { endSpan, runInSpan, sampledIds, startSpan, type SpanRef } from './span.js';
import type { GenAiAgentOptions, GenAiFailure, GenAiOperation, GenAiToolOptions } from './types.js';

type Write = (record: OperationRecord) => void;

class SpanOperation implements GenAiOperation<void> {
  #done = false;
  readonly #startedAt = performance.now();
  readonly #span: SpanRef | undefined;
  readonly #values: readonly string[];
  readonly #write: Write;
  readonly #report: (error: unknown) => void;

  constructor(
    span: SpanRef | undefined,
    values: readonly string[],
    write: Write,
    report: (error: unknown) => void,
  ) {
    this.#span = span;
    this.#values = values;
    this.#write = write;
    this.#report = report;
  }

  get done(): boolean {
    return this.#done;
  }

  run<T>(fn: () => T): T {
    return runInSpan(this.#span, fn);
  }

  end(): void {
    this.#finish(undefined, undefined);
  }

  fail(error: unknown, details?: GenAiFailure): void {
    if (this.#done) return;
    const given = optionalName('fail', 'errorType', details?.errorType);
    const message = error instanceof Error ? error.message : String(error);
    this.#finish(given ?? classifyError(error).errorType, message);
  }

  #finish(errorType: string | undefined, message: string | undefined): void {
    if (this.#done) return;
    this.#done = true;
    const seconds = (performance.now() - this.#startedAt) / 1000;
    try {
      const exemplar = exemplarLabels(sampledIds(this.#span) ?? activeTraceIds());
      this.#write({ values: [...this.#values, errorType ?? ''], seconds, exemplar });
    } catch (error) {
      this.#report(error);
    }
    const error = errorType === undefined ? undefined : { type: errorType, message: message ?? '' };
    endSpan(this.#span, {}, error);
  }
}

function text(where: string, field: string, value: unknown): string | undefined {
  const v = optionalName(where, field, value);
  return v === undefined ? undefined : wellFormed(v);
}

/** An `execute_tool {name}` INTERNAL span and a gen_ai.execute_tool.duration observation. */
export function startTool(
  options: GenAiToolOptions,
  write: Write,
  report: (error: unknown) => void,
): GenAiOperation<void> {
  const where = 'startTool';
  if (typeof options !== 'object' || options === null)
    throw invalid(where, 'options', options, 'an object { name }');
  const name = wellFormed(requireName(where, 'name', options.name));
  const type = text(where, 'type', options.type);
  const agent = text(where, 'agentName', options.agentName);
  const callId = text(where, 'callId', options.callId);
  const attributes: Attributes = {};
  attributes[ATTR.operation] = 'execute_tool';
  attributes[ATTR.toolName] = name;
  if (type) attributes[ATTR.toolType] = type;
  if (callId) attributes[ATTR.toolCallId] = callId;
  if (agent) attributes[ATTR.agentName] = agent;
  const span = startSpan(`execute_tool ${name}`, 'internal', attributes);
  return new SpanOperation(span, [name, type ?? '', agent ?? ''], write, report);
}

/** An `invoke_agent {name}` span and a gen_ai.invoke_agent.duration observation. */
export function startAgent(
  options: GenAiAgentOptions,
  write: Write,
  report: (error: unknown) => void,
): GenAiOperation<void> {
  const where = 'startAgent';
  if (typeof options !== 'object' || options === null)
    throw invalid(where, 'options', options, 'an object { name }');
  const name = wellFormed(requireName(where, 'name', options.name));
  const model = text(where, 'requestModel', options.requestModel);
  const id = text(where, 'id', options.id);
  const attributes: Attributes = {};
  attributes[ATTR.operation] = 'invoke_agent';
  attributes[ATTR.agentName] = name;
  if (model) attributes[ATTR.requestModel] = model;
  if (id) attributes[ATTR.agentId] = id;
  const span = startSpan(
    `invoke_agent ${name}`,
    options.remote ? 'client' : 'internal',
    attributes,
  );
  return new SpanOperation(span, [name, model ?? ''], write, report);
}

/** Runs `fn` inside `op`: ends it with the result, fails it with the error (and rethrows). */
export async function runOperation<T>(
  op: GenAiOperation<void>,
  fn: () => T | Promise<T>,
): Promise<T> {
  try {
    const value = await op.run(fn);
    op.end();
    return value;
  } catch (error) {
    op.fail(error);
    throw error;
  }
}
