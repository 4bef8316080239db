// Writes one finished GenAI call, tool run or agent invocation: label limits, one series key per
// label set, the gen_ai_* series of the active revision, the engine_* series and the spend.
import type { ExecutionStatus } from '../contract.js';
import type { Labels } from '../prom-internals/probe.js';
import type { SeriesKey } from '../series.js';
import type { TokenUsage } from '../types.js';
import type { GenAiInstruments } from './instruments.js';
import type { Cost, PriceBook, UnpricedReason } from './pricing.js';
import { INFERENCE_OPERATIONS } from './semconv.js';
import type { GenAiUsage } from './types.js';

/** One engine_* write (engines.ts). */
export interface EngineWrite {
  readonly engine: string;
  readonly operation: string;
  readonly status: ExecutionStatus;
  readonly seconds: number;
  readonly tokens?: TokenUsage | undefined;
  readonly exemplar?: Labels | undefined;
}

export interface CallRecord {
  readonly operation: string;
  readonly provider: string;
  readonly requestModel: string | undefined;
  readonly responseModel: string | undefined;
  readonly address: string | undefined;
  readonly port: number | undefined;
  readonly workflow: string | undefined;
  readonly engine: string;
  readonly seconds: number;
  readonly timeToFirstChunk: number | undefined;
  readonly chunkGaps: readonly number[];
  readonly usage: GenAiUsage | undefined;
  readonly status: ExecutionStatus;
  readonly errorType: string | undefined;
  /** Failed calls only: the provider answered with an error status (not billed). */
  readonly answered: boolean;
  readonly exemplar: Labels | undefined;
}

export interface OperationRecord {
  /** Label values after `service`, in contract order, not yet limited. */
  readonly values: readonly string[];
  readonly seconds: number;
  readonly exemplar: Labels | undefined;
}

/** The spend of a call: its cost, why it has none, or nothing (an unbilled error). */
export type Spend = Cost | UnpricedReason | undefined;

const MODALITY = 'unknown'; // no provider breaks usage down by modality for us (see README)

export class GenAiWriter {
  prices: PriceBook | undefined;
  readonly #m: GenAiInstruments;
  readonly #engine: (write: EngineWrite) => void;

  constructor(instruments: GenAiInstruments, engine: (write: EngineWrite) => void) {
    this.#m = instruments;
    this.#engine = engine;
  }

  call(r: CallRecord): Spend {
    const { limits: l, client: c, service } = this.#m;
    const provider = l.provider.admit(r.provider);
    const requestModel = r.requestModel === undefined ? '' : l.requestModel.admit(r.requestModel);
    const base = [
      service,
      l.operation.admit(r.operation),
      provider,
      requestModel,
      r.responseModel === undefined ? '' : l.responseModel.admit(r.responseModel),
      r.address === undefined ? '' : l.address.admit(r.address),
      r.port === undefined ? '' : l.port.admit(String(r.port)),
    ];
    const withError = [...base, r.errorType === undefined ? '' : l.errorType.admit(r.errorType)];
    const inference = c.inferenceDuration && INFERENCE_OPERATIONS.has(r.operation);
    const duration = inference ? c.inferenceDuration : c.operationDuration;
    const durationKey = duration.table.key(withError);
    duration.writer.observe(durationKey, r.seconds, r.exemplar);
    if (r.timeToFirstChunk !== undefined) {
      const key = c.timeToFirstChunk.table.key(base);
      c.timeToFirstChunk.writer.observe(key, r.timeToFirstChunk, r.exemplar);
      for (const gap of r.chunkGaps) c.timePerChunk.observe(key, gap, undefined);
    }
    this.#tokens(base, inference ? durationKey : undefined, r);
    this.#engine({
      engine: r.engine,
      operation: r.operation,
      status: r.status,
      seconds: r.seconds,
      tokens: r.usage && { input: r.usage.input ?? 0, output: r.usage.output ?? 0 },
      exemplar: r.exemplar,
    });
    return this.#spend(r, provider, requestModel);
  }

  #tokens(base: string[], inferenceKey: SeriesKey | undefined, r: CallRecord): void {
    const { client: c } = this.#m;
    const u = r.usage;
    if (c.tokenUsage && u) {
      const t = c.tokenUsage;
      if (u.input !== undefined)
        t.writer.observe(t.table.key([...base, 'input']), u.input, r.exemplar);
      if (u.output !== undefined)
        t.writer.observe(t.table.key([...base, 'output']), u.output, r.exemplar);
    }
    const usage = c.usage;
    const key = usage.table.key([...base, MODALITY]);
    if (usage.input && inferenceKey) {
      // latest: every inference counts, with 0 when no usage came back (token-metrics.yaml).
      usage.input.inc(key, u?.input ?? 0);
      usage.output?.inc(key, u?.output ?? 0);
      const ops = c.operationTokens;
      if (ops && u?.input !== undefined) ops.input.observe(inferenceKey, u.input, r.exemplar);
      if (ops && u?.output !== undefined) ops.output.observe(inferenceKey, u.output, r.exemplar);
    }
    if (u?.cacheRead !== undefined) usage.cacheRead.inc(key, u.cacheRead);
    if (u?.cacheWrite !== undefined) usage.cacheWrite.inc(key, u.cacheWrite);
    if (u?.reasoning !== undefined) usage.reasoning.inc(key, u.reasoning);
  }

  #spend(r: CallRecord, provider: string, requestModel: string): Spend {
    const { limits: l, service } = this.#m;
    const workflow = r.workflow === undefined ? '' : l.workflow.admit(r.workflow);
    let spend: Spend;
    if (r.status === 'success') {
      spend = r.usage ? this.#price(r) : 'no_usage';
    } else if (!r.answered) {
      // A timeout, a cut or a cancel may still be billed: its cost is unknown.
      spend = 'incomplete';
    }
    if (spend === undefined) return undefined;
    if (typeof spend === 'string') {
      const { writer, table } = this.#m.unpriced;
      writer.inc(table.key([service, provider, requestModel, workflow, spend]), 1);
    } else {
      const { writer, table } = this.#m.cost;
      const currency = l.currency.admit(spend.currency);
      writer.inc(table.key([service, provider, requestModel, currency, workflow]), spend.amount);
    }
    return spend;
  }

  #price(r: CallRecord): Cost | UnpricedReason {
    if (!this.prices || !r.usage) return 'unknown_model';
    return this.prices.cost(r.provider, [r.responseModel, r.requestModel], r.usage);
  }

  tool(r: OperationRecord): void {
    const { limits: l, tool, service } = this.#m;
    const [name = '', type = '', agent = '', error = ''] = r.values;
    const values = [
      service,
      l.tool.admit(name),
      type && l.toolType.admit(type),
      agent && l.agent.admit(agent),
      error && l.errorType.admit(error),
    ];
    tool.writer.observe(tool.table.key(values), r.seconds, r.exemplar);
  }

  agent(r: OperationRecord): void {
    const { limits: l, agent, service } = this.#m;
    const [name = '', model = '', error = ''] = r.values;
    const values = [
      service,
      l.agent.admit(name),
      model && l.agentModel.admit(model),
      error && l.errorType.admit(error),
    ];
    agent.writer.observe(agent.table.key(values), r.seconds, r.exemplar);
  }
}
