// The GenAI metrics of one revision, registered on first use of `metrics.genai`, each with the
// label limits and series budget every metric of the contract has. Every gen_ai client metric
// shares one limiter per label (made on gen_ai_client_operation_duration_seconds), so the same
// 100 models are admitted everywhere and an overflow is counted once.
import type { MetricDefinition } from '../contract.js';
import type { LabelLimiter } from '../labels.js';
import type { CounterWriter, HistogramWriter, SeriesTable } from '../series.js';
import type { Series } from '../workflows.js';
import { GENAI_METRICS as M } from './contract.js';
import type { GenAiRevision } from './semconv.js';

/** What createMetrics gives the GenAI recorder: its limiters, series tables and writers. */
export interface LimitSource {
  label(def: MetricDefinition, label: string): LabelLimiter;
  table(def: MetricDefinition): SeriesTable;
  histogram(def: MetricDefinition, exemplars?: boolean): HistogramWriter;
  counter(def: MetricDefinition): Series<CounterWriter>;
}

/** A histogram with the label sets it may hold. */
export interface HistogramSeries {
  readonly writer: HistogramWriter;
  readonly table: SeriesTable;
}

export interface GenAiLimiters {
  readonly operation: LabelLimiter;
  readonly provider: LabelLimiter;
  readonly requestModel: LabelLimiter;
  readonly responseModel: LabelLimiter;
  readonly address: LabelLimiter;
  readonly port: LabelLimiter;
  readonly errorType: LabelLimiter;
  readonly workflow: LabelLimiter;
  readonly currency: LabelLimiter;
  readonly tool: LabelLimiter;
  readonly toolType: LabelLimiter;
  readonly agent: LabelLimiter;
  readonly agentModel: LabelLimiter;
}

export interface ClientInstruments {
  /** gen_ai.client.operation.duration: every operation in v1.41, non-inference ones in latest. */
  readonly operationDuration: HistogramSeries;
  /** gen_ai.client.inference.duration (latest only). */
  readonly inferenceDuration?: HistogramSeries;
  readonly timeToFirstChunk: HistogramSeries;
  /** Shares the time-to-first-chunk table (same labels). */
  readonly timePerChunk: HistogramWriter;
  /** gen_ai.client.token.usage (v1.41 only). */
  readonly tokenUsage?: HistogramSeries;
  /** input, output (latest only), cache_read, cache_write, reasoning: one table. */
  readonly usage: {
    readonly table: SeriesTable;
    readonly input?: CounterWriter;
    readonly output?: CounterWriter;
    readonly cacheRead: CounterWriter;
    readonly cacheWrite: CounterWriter;
    readonly reasoning: CounterWriter;
  };
  /** Per-inference input and output token histograms (latest only), on the inference table. */
  readonly operationTokens?: { readonly input: HistogramWriter; readonly output: HistogramWriter };
}

export interface GenAiInstruments {
  readonly service: string;
  readonly revision: GenAiRevision;
  readonly limits: GenAiLimiters;
  readonly client: ClientInstruments;
  readonly tool: HistogramSeries;
  readonly agent: HistogramSeries;
  readonly cost: Series<CounterWriter>;
  readonly unpriced: Series<CounterWriter>;
}

function histogram(src: LimitSource, def: MetricDefinition): HistogramSeries {
  return { writer: src.histogram(def, true), table: src.table(def) };
}

function limiters(src: LimitSource): GenAiLimiters {
  const home = M.genAiOperationDuration;
  const on = (label: string) => src.label(home, label);
  return {
    operation: on('gen_ai_operation_name'),
    provider: on('gen_ai_provider_name'),
    requestModel: on('gen_ai_request_model'),
    responseModel: on('gen_ai_response_model'),
    address: on('server_address'),
    port: on('server_port'),
    errorType: on('error_type'),
    workflow: src.label(M.genAiOperationCost, 'workflow_name'),
    currency: src.label(M.genAiOperationCost, 'gen_ai_usage_cost_currency'),
    tool: src.label(M.genAiExecuteToolDuration, 'gen_ai_tool_name'),
    toolType: src.label(M.genAiExecuteToolDuration, 'gen_ai_tool_type'),
    agent: src.label(M.genAiInvokeAgentDuration, 'gen_ai_agent_name'),
    agentModel: src.label(M.genAiInvokeAgentDuration, 'gen_ai_request_model'),
  };
}

function client(src: LimitSource, revision: GenAiRevision): ClientInstruments {
  const latest = revision === 'latest';
  const ttfc = histogram(src, latest ? M.genAiInferenceTimeToFirstChunk : M.genAiTimeToFirstChunk);
  const perChunk = latest ? M.genAiInferenceTimePerOutputChunk : M.genAiTimePerOutputChunk;
  const usageTable = src.table(M.genAiCacheReadTokens);
  const usageWriter = (def: MetricDefinition) => src.counter(def).writer;
  const inference = latest ? histogram(src, M.genAiInferenceDuration) : undefined;
  return {
    operationDuration: histogram(src, M.genAiOperationDuration),
    ...(inference ? { inferenceDuration: inference } : {}),
    timeToFirstChunk: ttfc,
    timePerChunk: src.histogram(perChunk, true),
    ...(latest ? {} : { tokenUsage: histogram(src, M.genAiTokenUsage) }),
    usage: {
      table: usageTable,
      ...(latest
        ? { input: usageWriter(M.genAiInputTokens), output: usageWriter(M.genAiOutputTokens) }
        : {}),
      cacheRead: usageWriter(M.genAiCacheReadTokens),
      cacheWrite: usageWriter(M.genAiCacheWriteTokens),
      reasoning: usageWriter(M.genAiReasoningTokens),
    },
    ...(latest
      ? {
          operationTokens: {
            input: src.histogram(M.genAiOperationInputTokens, true),
            output: src.histogram(M.genAiOperationOutputTokens, true),
          },
        }
      : {}),
  };
}

/** Registers the GenAI metrics of `revision` and makes their limiters and tables. */
export function genAiInstruments(
  src: LimitSource,
  service: string,
  revision: GenAiRevision,
): GenAiInstruments {
  return {
    service,
    revision,
    limits: limiters(src),
    client: client(src, revision),
    tool: histogram(src, M.genAiExecuteToolDuration),
    agent: histogram(src, M.genAiInvokeAgentDuration),
    cost: src.counter(M.genAiOperationCost),
    unpriced: src.counter(M.genAiOperationUnpriced),
  };
}
