// demo-gateway: the user-facing API. Logs users in, creates and executes workflows through the
// orchestrator, takes feedback and subscriptions, and records the business KPIs.
import { randomUUID } from 'node:crypto';
import { createBusinessMetrics, memoryStore } from '@ai-orchestrator/business-metrics';
import {
  FaultState,
  WORKFLOWS,
  intEnv,
  onShutdown,
  sleep,
  stringEnv,
} from '@ai-orchestrator/demo-kit';
import { createMetricsMiddleware } from '@ai-orchestrator/express-monitoring';
import { createMetrics, startMetricsServer } from '@ai-orchestrator/metrics';
import express, { type NextFunction, type Request, type Response } from 'express';
import { businessStore } from './store.js';

const port = intEnv('PORT', 3001);
const host = stringEnv('HOST', '127.0.0.1');
const orchestratorUrl = stringEnv('ORCHESTRATOR_URL', 'http://127.0.0.1:3002');
const metrics = createMetrics({ serviceName: process.env.OTEL_SERVICE_NAME ?? 'demo-gateway' });
// KPIs read again each second (default 5 s): the demo's live summary shows a login within one.
const business = createBusinessMetrics({
  metrics,
  store: await businessStore(memoryStore),
  cacheTtlMs: 1000,
});
const faults = new FaultState();

interface Workflow {
  readonly id: string;
  readonly name: string;
  readonly ownerHash: string;
}
const workflows = new Map<string, Workflow>();

const app = express();
app.use(createMetricsMiddleware({ metrics, metricsPath: false }));
app.use(express.json());

app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' });
});
app.get('/admin/faults', (_req, res) => {
  res.json(faults.current);
});
app.post('/admin/faults', (req, res) => {
  res.json(faults.update(req.body));
});

const api = express.Router();
api.use(async (req, _res, next) => {
  business.recordApiRequest({ plan: req.header('x-plan') ?? 'free' });
  if (faults.current.latencyMs) await sleep(faults.current.latencyMs);
  if (faults.shouldFail()) {
    next(new Error('injected failure'));
    return;
  }
  next();
});

function userIdOf(req: Request): string {
  const userId: unknown = req.body?.userId ?? req.header('x-user-id');
  if (typeof userId !== 'string' || userId === '')
    throw new TypeError('userId must be a non-empty string');
  return userId;
}

api.post('/login', (req, res) => {
  business.recordLogin(userIdOf(req));
  res.json({ ok: true });
});

api.post('/workflows', (req, res) => {
  const userId = userIdOf(req);
  const name: unknown = req.body?.name;
  const known = WORKFLOWS.find((w) => w.name === name);
  if (!known) throw new TypeError(`name must be one of ${WORKFLOWS.map((w) => w.name).join(', ')}`);
  const workflow = { id: randomUUID(), name: known.name, ownerHash: userId.length.toString(36) };
  workflows.set(workflow.id, workflow);
  if (workflows.size > 50_000) workflows.delete(workflows.keys().next().value as string);
  business.recordWorkflowCreated();
  business.recordUserActivity(userId);
  res.status(201).json(workflow);
});

api.get('/workflows/:id', (req, res) => {
  const workflow = workflows.get(req.params.id as string);
  if (!workflow) {
    res.status(404).json({ error: 'no such workflow' });
    return;
  }
  res.json(workflow);
});

api.post('/workflows/:id/execute', async (req, res) => {
  const userId = userIdOf(req);
  const workflow = workflows.get(req.params.id as string);
  if (!workflow) {
    res.status(404).json({ error: 'no such workflow' });
    return;
  }
  business.recordUserActivity(userId);
  const upstream = await fetch(`${orchestratorUrl}/v1/executions?waitMs=10000`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ workflowId: workflow.id, workflowName: workflow.name, userId }),
  });
  res
    .status(upstream.status === 200 ? 200 : upstream.status === 202 ? 202 : 502)
    .json(await upstream.json());
});

api.post('/feedback', (req, res) => {
  business.recordSatisfaction(req.body?.score);
  res.status(204).end();
});

api.post('/subscriptions', (req, res) => {
  const { customerId, plan, monthlyAmount, currency } = req.body ?? {};
  business.recordSubscription({ customerId, plan, monthlyAmount, currency });
  res.status(201).json({ ok: true });
});

api.delete('/subscriptions/:customerId', (req, res) => {
  business.cancelSubscription(req.params.customerId as string);
  res.status(204).end();
});

api.get('/kpis', async (_req, res) => {
  res.json(await business.getKpis());
});

app.use('/api', api);
app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
  const status = error instanceof TypeError ? 400 : 500;
  res.status(status).json({ error: error instanceof Error ? error.message : String(error) });
});

const server = app.listen(port, host, () =>
  console.log(`demo-gateway listening on http://${host}:${port}`),
);
const metricsServer = await startMetricsServer({
  port: intEnv('METRICS_PORT', 9464),
  host: stringEnv('METRICS_HOST', host),
  registry: metrics.registry,
});
console.log(`demo-gateway metrics on ${metricsServer.url}`);
onShutdown(() => new Promise<void>((resolve) => server.close(() => resolve())));
onShutdown(() => metricsServer.close());
onShutdown(() => business.close());
