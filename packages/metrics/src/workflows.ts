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
export function createWorkflowRecorder(m: WorkflowInstruments): WorkflowRecorder {
  const { service } = m;

  function recordWorkflowExecution(first: WorkflowExecution | string, ...rest: Positional): void {
    const where = 'recordWorkflowExecution';
    const e = typeof first === 'object' && first !== null ? first : positionalWorkflow(first, rest);
    const workflowId = optionalName(where, 'workflowId', e.workflowId);
    const name = requireName(where, 'workflowName', e.workflowName);
    const engine = requireName(where, 'engineType', e.engineType);
    const status = requireOneOf(where, 'status', e.status, EXECUTION_STATUSES);
    const durationMs = requireNonNegative(where, 'durationMs', e.durationMs);
    optionalName(where, 'userId', e.userId);

    const key = m.executions.table.key([
      service,
      m.names.admit(name),
      m.engines.admit(engine),
      status,
    ]);
    m.executions.writer.inc(key, 1);
    const id = workflowId === undefined ? undefined : wellFormed(workflowId);
    const extra = id ? { workflow_id: id } : undefined;
    m.duration.observe(key, durationMs / 1000, exemplarLabels(activeTraceIds(), extra));
    if (id) annotateActiveSpan({ 'workflow.id': id, 'workflow.name': name });
  }

  const activeKey = (engine: string) =>
    m.active.table.key([service, m.activeEngines.admit(engine)]);

  return {
    recordWorkflowExecution: recordWorkflowExecution as Metrics['recordWorkflowExecution'],
    setQueueSize(queue: string, size: number): void {
      const name = requireName('setQueueSize', 'queue', queue);
      requireNonNegative('setQueueSize', 'size', size);
      m.queue.writer.set(m.queue.table.key([service, m.queues.admit(name)]), size);
    },
    setActiveExecutions(engineType: string, count: number): void {
      const engine = requireName('setActiveExecutions', 'engineType', engineType);
      requireNonNegative('setActiveExecutions', 'count', count);
      m.active.writer.set(activeKey(engine), count);
    },
    startExecution(engineType: string): () => void {
      const key = activeKey(requireName('startExecution', 'engineType', engineType));
      m.active.writer.add(key, 1);
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        m.active.writer.add(key, -1);
      };
    },
  };
}
