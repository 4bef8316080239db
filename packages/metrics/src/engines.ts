// AI engine calls and tokens: input checks, label limits, one series key per write, the writes.
import { EXECUTION_STATUSES, type ExecutionStatus } from './contract.js';
import { activeTraceIds, exemplarLabels } from './exemplars.js';
import type { LabelLimiter } from './labels.js';
import type { CounterWriter, HistogramWriter } from './series.js';
import type { EngineCall, Metrics, TokenUsage } from './types.js';
import {
  invalid,
  requireName,
  requireNonNegative,
  requireNonNegativeInteger,
  requireOneOf,
} from './validate.js';
import type { Series } from './workflows.js';

export interface EngineInstruments {
  readonly service: string;
  /** `engine_calls_total` and the duration histogram share their label sets. */
  readonly calls: Series<CounterWriter>;
  readonly duration: HistogramWriter;
  readonly tokens: Series<CounterWriter>;
  readonly engines: LabelLimiter;
  readonly operations: LabelLimiter;
  readonly tokenEngines: LabelLimiter;
}

function checkTokens(where: string, usage: TokenUsage): void {
  if (typeof usage !== 'object' || usage === null) {
    throw invalid(where, 'tokens', usage, 'an object { input?, output? }');
  }
  if (usage.input !== undefined) requireNonNegativeInteger(where, 'tokens.input', usage.input);
  if (usage.output !== undefined) requireNonNegativeInteger(where, 'tokens.output', usage.output);
}

type EngineRecorder = Pick<Metrics, 'recordEngineCall' | 'recordTokens'>;

/** The engine half of {@link Metrics}. */
export function createEngineRecorder(instruments: EngineInstruments): EngineRecorder {
  const { service } = instruments;

  function addTokens(engine: string, usage: TokenUsage): void {
    const engineLabel = instruments.tokenEngines.admit(engine);
    const { writer, table } = instruments.tokens;
    if (usage.input) writer.inc(table.key([service, engineLabel, 'input']), usage.input);
    if (usage.output) writer.inc(table.key([service, engineLabel, 'output']), usage.output);
  }

  function recordEngineCall(
    first: EngineCall | string,
    operation?: string,
    status?: ExecutionStatus,
    durationMs?: number,
  ): void {
    const where = 'recordEngineCall';
    const call: EngineCall =
      typeof first === 'object' && first !== null
        ? first
        : {
            engineType: first,
            operation: operation as string,
            status: status as ExecutionStatus,
            durationMs: durationMs as number,
          };
    const engine = requireName(where, 'engineType', call.engineType);
    const operationName = requireName(where, 'operation', call.operation);
    const outcome = requireOneOf(where, 'status', call.status, EXECUTION_STATUSES);
    const ms = requireNonNegative(where, 'durationMs', call.durationMs);
    if (call.tokens !== undefined) checkTokens(where, call.tokens);

    const key = instruments.calls.table.key([
      service,
      instruments.engines.admit(engine),
      instruments.operations.admit(operationName),
      outcome,
    ]);
    instruments.calls.writer.inc(key, 1);
    instruments.duration.observe(key, ms / 1000, exemplarLabels(activeTraceIds()));
    if (call.tokens !== undefined) addTokens(engine, call.tokens);
  }

  return {
    recordEngineCall: recordEngineCall as Metrics['recordEngineCall'],
    recordTokens(engineType: string, usage: TokenUsage): void {
      const engine = requireName('recordTokens', 'engineType', engineType);
      checkTokens('recordTokens', usage);
      addTokens(engine, usage);
    },
  };
}
