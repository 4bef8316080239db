// demo-orchestrator: queues workflow executions and runs each as a chain of engine calls.
import { randomUUID } from 'node:crypto';
import {
  FaultState,
  WORKFLOWS,
  intEnv,
  onShutdown,
  sleep,
  stringEnv,
} from '@ai-orchestrator/demo-kit';
import { fastifyMonitoring } from '@ai-orchestrator/fastify-monitoring';
import { createMetrics, startMetricsServer, type ExecutionStatus } from '@ai-orchestrator/metrics';
import { trace } from '@opentelemetry/api';
import Fastify from 'fastify';
import { WorkQueue } from './queue.js';

const port = intEnv('PORT', 3002);
const host = stringEnv('HOST', '127.0.0.1');
const engineUrl = stringEnv('ENGINE_URL', 'http://127.0.0.1:3003');
const workflowTimeoutMs = intEnv('WORKFLOW_TIMEOUT_MS', 8000);
const metrics = createMetrics({
  serviceName: process.env.OTEL_SERVICE_NAME ?? 'demo-orchestrator',
});
const faults = new FaultState();
const tracer = trace.getTracer('demo-orchestrator');
const MODEL = { openai: 'gpt-4o', anthropic: 'claude-sonnet', 'local-llm': 'llama-3-8b' } as const;

interface Execution {
  readonly executionId: string;
  readonly workflowId: string;
  readonly workflowName: string;
  readonly status: ExecutionStatus;
  readonly durationMs: number;
  readonly steps: number;
}

const queue = new WorkQueue<Execution>(
  'default',
  intEnv('WORKERS', 8),
  intEnv('QUEUE_CAPACITY', 2000),
  metrics,
);
queue.stalled = faults.current.queueStall;
const results = new Map<string, Execution>();

async function callEngine(
  engine: keyof typeof MODEL,
  operation: string,
  workflow: string,
  signal: AbortSignal,
): Promise<boolean> {
  const res = await fetch(`${engineUrl}/v1/models/${MODEL[engine]}/${operation}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    // The engine counts its spend per workflow name.
    body: JSON.stringify({ prompt: 'x'.repeat(200 + Math.floor(Math.random() * 2000)), workflow }),
    signal,
  });
  await res.arrayBuffer();
  return res.ok;
}

/** Runs every step of a workflow against the engine; the outcome is the workflow's status. */
function execute(
  workflowId: string,
  workflowName: string,
  userId: string | undefined,
): Promise<Execution> {
  const workflow = WORKFLOWS.find((w) => w.name === workflowName) ?? WORKFLOWS[0];
  const executionId = randomUUID();
  return tracer.startActiveSpan(`workflow ${workflow.name}`, async (span) => {
    span.setAttributes({
      'workflow.id': workflowId,
      'workflow.name': workflow.name,
      'workflow.engine': workflow.engine,
    });
    const end = metrics.startExecution(workflow.engine);
    const started = Date.now();
    const signal = AbortSignal.timeout(workflowTimeoutMs);
    let status: ExecutionStatus = 'success';
    try {
      for (const step of workflow.steps) {
        if (!(await callEngine(workflow.engine, step, workflow.name, signal))) {
          status = 'failure';
          break;
        }
      }
    } catch (error) {
      status = signal.aborted ? 'timeout' : 'failure';
      span.recordException(error as Error);
    } finally {
      end();
      span.end();
    }
    const durationMs = Date.now() - started;
    metrics.recordWorkflowExecution(
      workflowId,
      workflow.name,
      workflow.engine,
      status,
      durationMs,
      userId,
    );
    const execution = {
      executionId,
      workflowId,
      workflowName: workflow.name,
      status,
      durationMs,
      steps: workflow.steps.length,
    };
    results.set(executionId, execution);
    if (results.size > 10_000) results.delete(results.keys().next().value as string);
    return execution;
  });
}

const app = Fastify({ logger: false });
await app.register(fastifyMonitoring, { metrics, metricsPath: false });

app.get('/healthz', async () => ({ status: 'ok', queue: queue.size }));
app.get('/admin/faults', async () => faults.current);
app.post('/admin/faults', async (request, reply) => {
  try {
    const updated = faults.update(request.body);
    queue.stalled = updated.queueStall;
    return updated;
  } catch (error) {
    return reply.code(400).send({ error: (error as Error).message });
  }
});

app.register(
  async (v1) => {
    v1.post<{
      Body: { workflowId?: string; workflowName?: string; userId?: string };
      Querystring: { waitMs?: string };
    }>('/executions', async (request, reply) => {
      const { workflowId, workflowName, userId } = request.body ?? {};
      if (typeof workflowId !== 'string' || typeof workflowName !== 'string') {
        return reply.code(400).send({ error: 'workflowId and workflowName must be strings' });
      }
      if (faults.shouldFail()) return reply.code(500).send({ error: 'injected failure' });
      if (faults.current.latencyMs) await sleep(faults.current.latencyMs);
      const waitMs = Math.min(Number(request.query.waitMs ?? 10_000) || 0, 30_000);
      let pending: Promise<Execution>;
      try {
        pending = queue.push(() => execute(workflowId, workflowName, userId));
      } catch (error) {
        return reply.code(503).send({ error: (error as Error).message });
      }
      pending.catch(() => undefined);
      const timeout = sleep(waitMs).then(() => undefined);
      try {
        const done = await Promise.race([pending, timeout]);
        return done
          ? reply.code(200).send(done)
          : reply.code(202).send({ status: 'queued', queue: queue.size });
      } catch (error) {
        return reply.code(503).send({ error: (error as Error).message });
      }
    });
    v1.get<{ Params: { executionId: string } }>(
      '/executions/:executionId',
      async (request, reply) => {
        const found = results.get(request.params.executionId);
        return found ?? reply.code(404).send({ error: 'no such execution' });
      },
    );
  },
  { prefix: '/v1' },
);

await app.listen({ port, host });
console.log(`demo-orchestrator listening on http://${host}:${port}`);
const metricsServer = await startMetricsServer({
  port: intEnv('METRICS_PORT', 9465),
  host: stringEnv('METRICS_HOST', host),
  registry: metrics.registry,
});
console.log(`demo-orchestrator metrics on ${metricsServer.url}`);
onShutdown(() => app.close());
onShutdown(() => metricsServer.close());
