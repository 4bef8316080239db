// demo-engine: simulated AI model calls behind a Koa API, metrics on their own port.
import { FaultState, intEnv, onShutdown, sleep, stringEnv } from '@ai-orchestrator/demo-kit';
import { createMetricsMiddleware } from '@ai-orchestrator/koa-monitoring';
import { createMetrics, startMetricsServer } from '@ai-orchestrator/metrics';
import Router from '@koa/router';
import Koa from 'koa';
import { MODELS, simulate } from './engine.js';

const port = intEnv('PORT', 3003);
const host = stringEnv('HOST', '127.0.0.1');
const metricsPort = intEnv('METRICS_PORT', 9466);
const metrics = createMetrics({ serviceName: process.env.OTEL_SERVICE_NAME ?? 'demo-engine' });
const faults = new FaultState();

const app = new Koa();
app.use(createMetricsMiddleware({ metrics, metricsPath: false }));
app.use(async (ctx, next) => {
  try {
    await next();
  } catch (error) {
    ctx.status = error instanceof TypeError ? 400 : 500;
    ctx.body = { error: error instanceof Error ? error.message : String(error) };
  }
});

async function readJson(req: Koa.Request['req']): Promise<Record<string, unknown>> {
  let raw = '';
  for await (const chunk of req) raw += String(chunk);
  if (raw === '') return {};
  const parsed: unknown = JSON.parse(raw);
  return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
}

const router = new Router();
router.get('/healthz', (ctx) => {
  ctx.body = { status: 'ok' };
});
router.post('/admin/faults', async (ctx) => {
  ctx.body = faults.update(await readJson(ctx.req));
});
router.get('/admin/faults', (ctx) => {
  ctx.body = faults.current;
});

const v1 = new Router({ prefix: '/v1' });
v1.post('/models/:model/:operation', async (ctx) => {
  const profile = MODELS[ctx.params.model ?? ''];
  if (!profile) {
    ctx.status = 404;
    ctx.body = { error: `unknown model ${ctx.params.model}` };
    return;
  }
  const operation = ctx.params.operation ?? '';
  const body = await readJson(ctx.req);
  const prompt = typeof body.prompt === 'string' ? body.prompt : '';
  const sim = simulate(profile, operation, prompt.length);
  const injected = faults.shouldFail();
  const outcome = injected ? 'failure' : sim.outcome;
  await sleep(sim.latencyMs + faults.current.latencyMs);
  metrics.recordEngineCall({
    engineType: profile.engine,
    operation,
    status: outcome,
    durationMs: sim.latencyMs + faults.current.latencyMs,
    tokens: sim.tokens,
  });
  if (outcome === 'success') {
    ctx.body = {
      model: ctx.params.model,
      operation,
      output: `simulated ${operation}`,
      tokens: sim.tokens,
    };
  } else {
    ctx.status = outcome === 'timeout' ? 504 : 502;
    ctx.body = { error: injected ? 'injected failure' : `model ${outcome}` };
  }
});
router.use(v1.routes());
app.use(router.routes()).use(router.allowedMethods());

const server = app.listen(port, host, () =>
  console.log(`demo-engine listening on http://${host}:${port}`),
);
const metricsServer = await startMetricsServer({
  port: metricsPort,
  host: stringEnv('METRICS_HOST', host),
  registry: metrics.registry,
});
console.log(`demo-engine metrics on ${metricsServer.url}`);
onShutdown(() => new Promise<void>((resolve) => server.close(() => resolve())));
onShutdown(() => metricsServer.close());
