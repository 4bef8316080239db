// AI engine calls and tokens: input checks, label limits, one series key per write, the writes.
import { EXECUTION_STATUSES, type ExecutionStatus } from './contract.js';
import { activeTraceIds, exemplarLabels } from './exemplars.js';
import type { LabelLimiter } from './labels.js';
import type { EngineWrite } from './genai/record.js';
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

function addTokens(instruments: EngineInstruments, engine: string, usage: TokenUsage): void {
  const engineLabel = instruments.tokenEngines.admit(engine);
  const { service, tokens } = instruments;
  if (usage.input) {
    tokens.writer.inc(tokens.table.key([service, engineLabel, 'input']), usage.input);
  }
  if (usage.output) {
    tokens.writer.inc(tokens.table.key([service, engineLabel, 'output']), usage.output);
  }
}

/** Writes one checked engine call: what recordEngineCall and the GenAI call handles share. */
export function engineWriter(instruments: EngineInstruments): (call: EngineWrite) => void {
  return (write) => {
    const key = instruments.calls.table.key([
      instruments.service,
      instruments.engines.admit(write.engine),
      instruments.operations.admit(write.operation),
      write.status,
    ]);
    instruments.calls.writer.inc(key, 1);
    instruments.duration.observe(key, write.seconds, write.exemplar);
    if (write.tokens !== undefined) addTokens(instruments, write.engine, write.tokens);
  };
}

/** The engine half of {@link Metrics}. */
export function createEngineRecorder(instruments: EngineInstruments): EngineRecorder {
  const write = engineWriter(instruments);

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

    write({
      engine,
      operation: operationName,
      status: outcome,
      seconds: ms / 1000,
      tokens: call.tokens,
      exemplar: exemplarLabels(activeTraceIds()),
    });
  }

  return {
    recordEngineCall: recordEngineCall as Metrics['recordEngineCall'],
    recordTokens(engineType: string, usage: TokenUsage): void {
      const engine = requireName('recordTokens', 'engineType', engineType);
      checkTokens('recordTokens', usage);
      addTokens(instruments, engine, usage);
    },
  };
}
