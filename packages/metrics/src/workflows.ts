// Workflow executions, running executions and queue sizes: input checks, label limits, one
// series key per call, and the writes.
import { EXECUTION_STATUSES, type ExecutionStatus } from './contract.js';
import { activeTraceIds, annotateActiveSpan, exemplarLabels } from './exemplars.js';
import { wellFormed, type LabelLimiter } from './labels.js';
import type { CounterWriter, GaugeWriter, HistogramWriter, SeriesTable } from './series.js';
import type { Metrics, WorkflowExecution } from './types.js';
import { optionalName, requireName, requireNonNegative, requireOneOf } from './validate.js';

/** A metric's writer with the label sets it may hold. */
export interface Series<W> {
  readonly writer: W;
  readonly table: SeriesTable;
}

export interface WorkflowInstruments {
  readonly service: string;
  /** `workflow_executions_total` and the duration histogram share their label sets. */
  readonly executions: Series<CounterWriter>;
  readonly duration: HistogramWriter;
  readonly active: Series<GaugeWriter>;
  readonly queue: Series<GaugeWriter>;
  readonly names: LabelLimiter;
  readonly engines: LabelLimiter;
  readonly activeEngines: LabelLimiter;
  readonly queues: LabelLimiter;
}

type Positional = [string?, string?, ExecutionStatus?, number?, string?];

function positionalWorkflow(workflowId: unknown, rest: Positional): WorkflowExecution {
  const id = requireName('recordWorkflowExecution', 'workflowId', workflowId);
  const [workflowName, engineType, status, durationMs, userId] = rest;
  return {
    workflowId: id,
    workflowName: workflowName as string,
    engineType: engineType as string,
    status: status as ExecutionStatus,
    durationMs: durationMs as number,
    ...(userId === undefined ? {} : { userId }),
  };
}

type WorkflowRecorder = Pick<
  Metrics,
  'recordWorkflowExecution' | 'setQueueSize' | 'setActiveExecutions' | 'startExecution'
>;

/** The workflow half of {@link Metrics}. */
export function createWorkflowRecorder(instruments: WorkflowInstruments): WorkflowRecorder {
  const { service } = instruments;

  function recordWorkflowExecution(first: WorkflowExecution | string, ...rest: Positional): void {
    const where = 'recordWorkflowExecution';
    const execution =
      typeof first === 'object' && first !== null ? first : positionalWorkflow(first, rest);
    const workflowId = optionalName(where, 'workflowId', execution.workflowId);
    const name = requireName(where, 'workflowName', execution.workflowName);
    const engine = requireName(where, 'engineType', execution.engineType);
    const status = requireOneOf(where, 'status', execution.status, EXECUTION_STATUSES);
    const durationMs = requireNonNegative(where, 'durationMs', execution.durationMs);
    optionalName(where, 'userId', execution.userId);

    const key = instruments.executions.table.key([
      service,
      instruments.names.admit(name),
      instruments.engines.admit(engine),
      status,
    ]);
    instruments.executions.writer.inc(key, 1);
    const id = workflowId === undefined ? undefined : wellFormed(workflowId);
    const extra = id ? { workflow_id: id } : undefined;
    instruments.duration.observe(key, durationMs / 1000, exemplarLabels(activeTraceIds(), extra));
    if (id) annotateActiveSpan({ 'workflow.id': id, 'workflow.name': name });
  }

  const activeKey = (engine: string) =>
    instruments.active.table.key([service, instruments.activeEngines.admit(engine)]);

  return {
    recordWorkflowExecution: recordWorkflowExecution as Metrics['recordWorkflowExecution'],
    setQueueSize(queue: string, size: number): void {
      const name = requireName('setQueueSize', 'queue', queue);
      requireNonNegative('setQueueSize', 'size', size);
      instruments.queue.writer.set(
        instruments.queue.table.key([service, instruments.queues.admit(name)]),
        size,
      );
    },
    setActiveExecutions(engineType: string, count: number): void {
      const engine = requireName('setActiveExecutions', 'engineType', engineType);
      requireNonNegative('setActiveExecutions', 'count', count);
      instruments.active.writer.set(activeKey(engine), count);
    },
    startExecution(engineType: string): () => void {
      const key = activeKey(requireName('startExecution', 'engineType', engineType));
      instruments.active.writer.add(key, 1);
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        instruments.active.writer.add(key, -1);
      };
    },
  };
}
