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

function addTokens(m: EngineInstruments, engine: string, usage: TokenUsage): void {
  const engineLabel = m.tokenEngines.admit(engine);
  const { writer, table } = m.tokens;
  if (usage.input) writer.inc(table.key([m.service, engineLabel, 'input']), usage.input);
  if (usage.output) writer.inc(table.key([m.service, engineLabel, 'output']), usage.output);
}

/** Writes one checked engine call: what recordEngineCall and the GenAI call handles share. */
export function engineWriter(m: EngineInstruments): (call: EngineWrite) => void {
  return (c) => {
    const { service } = m;
    const key = m.calls.table.key([
      service,
      m.engines.admit(c.engine),
      m.operations.admit(c.operation),
      c.status,
    ]);
    m.calls.writer.inc(key, 1);
    m.duration.observe(key, c.seconds, c.exemplar);
    if (c.tokens !== undefined) addTokens(m, c.engine, c.tokens);
  };
}

/** The engine half of {@link Metrics}. */
export function createEngineRecorder(m: EngineInstruments): EngineRecorder {
  const write = engineWriter(m);

  function recordEngineCall(
    first: EngineCall | string,
    operation?: string,
    status?: ExecutionStatus,
    durationMs?: number,
  ): void {
    const where = 'recordEngineCall';
    const c: EngineCall =
      typeof first === 'object' && first !== null
        ? first
        : {
            engineType: first,
            operation: operation as string,
            status: status as ExecutionStatus,
            durationMs: durationMs as number,
          };
    const engine = requireName(where, 'engineType', c.engineType);
    const op = requireName(where, 'operation', c.operation);
    const st = requireOneOf(where, 'status', c.status, EXECUTION_STATUSES);
    const ms = requireNonNegative(where, 'durationMs', c.durationMs);
    if (c.tokens !== undefined) checkTokens(where, c.tokens);

    write({
      engine,
      operation: op,
      status: st,
      seconds: ms / 1000,
      tokens: c.tokens,
      exemplar: exemplarLabels(activeTraceIds()),
    });
  }

  return {
    recordEngineCall: recordEngineCall as Metrics['recordEngineCall'],
    recordTokens(engineType: string, usage: TokenUsage): void {
      const engine = requireName('recordTokens', 'engineType', engineType);
      checkTokens('recordTokens', usage);
      addTokens(m, engine, usage);
    },
  };
}
