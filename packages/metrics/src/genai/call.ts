// One model call in flight: its clock, chunk timings and span; end() or fail() writes it once.
import { performance } from 'node:perf_hooks';
import type { Attributes } from '@opentelemetry/api';
import { activeTraceIds, exemplarLabels } from '../exemplars.js';
import type { Labels } from '../prom-internals/probe.js';
import { invalid, optionalName } from '../validate.js';
import { inputContent, outputContent } from './content.js';
import { classifyError, statusOfErrorType } from './error-type.js';
import type { CallRecord, GenAiWriter, Spend } from './record.js';
import { ATTR, cacheWriteAttribute, type GenAiRevision } from './semconv.js';
import { endSpan, recording, runInSpan, sampledIds, startSpan, type SpanRef } from './span.js';
import type { GenAiCall, GenAiCallResult, GenAiFailure } from './types.js';
import { checkUsage } from './usage.js';
import type { ResolvedCall } from './options.js';

/** What every call of one recorder shares. */
export interface CallEnvironment {
  readonly writer: GenAiWriter;
  readonly revision: GenAiRevision;
  readonly maxContentLength: number;
  readonly report: (error: unknown) => void;
}

function checkResult(where: string, r: unknown): GenAiCallResult {
  if (r === undefined) return {};
  if (typeof r !== 'object' || r === null) throw invalid(where, 'result', r, 'an object');
  const result = r as GenAiCallResult;
  optionalName(where, 'responseModel', result.responseModel);
  optionalName(where, 'responseId', result.responseId);
  const reasons: unknown = result.finishReasons;
  if (
    reasons !== undefined &&
    (!Array.isArray(reasons) || reasons.some((x) => typeof x !== 'string'))
  ) {
    throw invalid(where, 'finishReasons', reasons, 'an array of strings');
  }
  if (result.usage !== undefined) checkUsage(where, result.usage);
  return result;
}

function spendAttributes(spend: Spend): Attributes {
  if (spend === undefined || typeof spend === 'string') return {};
  // assigned: an object literal's computed keys slow for good after an idle collection
  const attributes: Attributes = {};
  attributes[ATTR.costAmount] = spend.amount;
  attributes[ATTR.costCurrency] = spend.currency;
  attributes[ATTR.costSource] = 'local';
  attributes[ATTR.priceVersion] = spend.version;
  return attributes;
}

export class GenAiCallHandle implements GenAiCall {
  #done = false;
  readonly #startedAt = performance.now();
  #firstAt: number | undefined;
  #lastAt = 0;
  readonly #gaps: number[] = [];
  readonly #env: CallEnvironment;
  readonly #call: ResolvedCall;
  readonly #span: SpanRef | undefined;
  readonly #exemplar: Labels | undefined;

  constructor(env: CallEnvironment, call: ResolvedCall) {
    this.#env = env;
    this.#call = call;
    if (call.span) {
      const attributes: Attributes = { ...call.attributes };
      if (call.capture) Object.assign(attributes, inputContent(call.content, env.maxContentLength));
      this.#span = startSpan(call.spanName, 'client', attributes);
    }
    this.#exemplar = exemplarLabels(sampledIds(this.#span) ?? activeTraceIds());
  }

  get done(): boolean {
    return this.#done;
  }

  firstChunk(): void {
    if (this.#firstAt !== undefined || this.#done) return;
    this.#firstAt = this.#lastAt = performance.now();
  }

  chunk(): void {
    if (this.#done) return;
    if (this.#firstAt === undefined) return this.firstChunk();
    const now = performance.now();
    this.#gaps.push((now - this.#lastAt) / 1000);
    this.#lastAt = now;
  }

  run<T>(fn: () => T): T {
    return runInSpan(this.#span, fn);
  }

  end(result?: GenAiCallResult): void {
    if (this.#done) return;
    const r = checkResult('call.end', result);
    this.#finish(r, 'success', undefined, false, undefined);
  }

  fail(error: unknown, details?: GenAiFailure): void {
    if (this.#done) return;
    const d = checkResult('call.fail', details) as GenAiFailure;
    const given = optionalName('call.fail', 'errorType', d.errorType);
    const c = given === undefined ? classifyError(error) : undefined;
    const errorType = given ?? c?.errorType ?? '_OTHER';
    const status = c?.status ?? statusOfErrorType(errorType);
    const message = error instanceof Error ? error.message : String(error);
    this.#finish(d, status, errorType, c?.answered ?? false, message);
  }

  #finish(
    r: GenAiCallResult,
    status: CallRecord['status'],
    errorType: string | undefined,
    answered: boolean,
    message: string | undefined,
  ): void {
    this.#done = true;
    const seconds = (performance.now() - this.#startedAt) / 1000;
    const ttfc = this.#firstAt === undefined ? undefined : (this.#firstAt - this.#startedAt) / 1000;
    const c = this.#call;
    let spend: Spend;
    try {
      spend = this.#env.writer.call({
        operation: c.operation,
        provider: c.provider,
        requestModel: c.requestModel,
        responseModel: r.responseModel,
        address: c.serverAddress,
        port: c.serverPort,
        workflow: c.workflowName,
        engine: c.engineType,
        seconds,
        timeToFirstChunk: ttfc,
        chunkGaps: this.#gaps,
        usage: r.usage,
        status,
        errorType,
        answered,
        exemplar: this.#exemplar,
      });
    } catch (error) {
      this.#env.report(error);
    }
    // A span no SDK records keeps nothing: building its attributes would be wasted work.
    if (!recording(this.#span)) return endSpan(this.#span, {});
    const attributes = this.#resultAttributes(r, ttfc);
    Object.assign(attributes, spendAttributes(spend));
    if (c.capture)
      Object.assign(attributes, outputContent(r.outputMessages, this.#env.maxContentLength));
    endSpan(
      this.#span,
      attributes,
      errorType === undefined ? undefined : { type: errorType, message: message ?? errorType },
    );
  }

  #resultAttributes(r: GenAiCallResult, ttfc: number | undefined): Attributes {
    const a: Attributes = { ...r.attributes };
    if (r.responseModel !== undefined) a[ATTR.responseModel] = r.responseModel;
    if (r.responseId !== undefined) a[ATTR.responseId] = r.responseId;
    if (r.finishReasons !== undefined) a[ATTR.finishReasons] = [...r.finishReasons];
    if (ttfc !== undefined) a[ATTR.timeToFirstChunk] = ttfc;
    const u = r.usage;
    if (u?.input !== undefined) a[ATTR.inputTokens] = u.input;
    if (u?.output !== undefined) a[ATTR.outputTokens] = u.output;
    if (u?.cacheRead !== undefined) a[ATTR.cacheReadTokens] = u.cacheRead;
    if (u?.cacheWrite !== undefined) a[cacheWriteAttribute(this.#env.revision)] = u.cacheWrite;
    if (u?.reasoning !== undefined) a[ATTR.reasoningTokens] = u.reasoning;
    return a;
  }
}
