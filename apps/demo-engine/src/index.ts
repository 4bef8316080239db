// demo-engine: AI model calls behind a Koa API, through the real openai and @anthropic-ai/sdk
// clients (instrumented) against a fake provider on loopback; metrics on their own port.
import { FaultState, intEnv, onShutdown, sleep, stringEnv } from '@ai-orchestrator/demo-kit';
import { createMetricsMiddleware } from '@ai-orchestrator/koa-monitoring';
import { createMetrics, startMetricsServer } from '@ai-orchestrator/metrics';
import Router from '@koa/router';
import Koa from 'koa';
import { MODELS, PRICES } from './engine.js';
import { createClients, runStep } from './llm.js';
import { startProvider } from './provider.js';

const port = intEnv('PORT', 3003);
const host = stringEnv('HOST', '127.0.0.1');
const metricsPort = intEnv('METRICS_PORT', 9466);
const metrics = createMetrics({ serviceName: process.env.OTEL_SERVICE_NAME ?? 'demo-engine' });
metrics.genai.setPrices(PRICES);
const faults = new FaultState();
// LLM_BASE_URL points the SDKs at another OpenAI/Anthropic-compatible server; by default the
// engine starts the fake provider itself.
const provider = process.env.LLM_BASE_URL ? undefined : await startProvider();
const clients = createClients(metrics, process.env.LLM_BASE_URL ?? (provider?.url as string));

const app = new Koa();
app.use(createMetricsMiddleware({ metrics, metricsPath: false }));
app.use(async (ctx, next) => {
  try {
    await next();
  } catch (error) {
    ctx.status = error instanceof TypeError ? 400 : 502;
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
  const model = ctx.params.model ?? '';
  const profile = MODELS[model];
  if (!profile) {
    ctx.status = 404;
    ctx.body = { error: `unknown model ${model}` };
    return;
  }
  const operation = ctx.params.operation ?? '';
  const body = await readJson(ctx.req);
  const prompt = typeof body.prompt === 'string' ? body.prompt : '';
  // Spend is counted per workflow by name (never by id).
  const workflow =
    typeof body.workflow === 'string' && body.workflow !== '' ? body.workflow : 'adhoc';
  if (faults.current.latencyMs) await sleep(faults.current.latencyMs);
  if (faults.shouldFail()) {
    ctx.status = 502;
    ctx.body = { error: 'injected failure' };
    return;
  }
  // The caller gave up (its workflow timed out): cancel the model call too.
  const controller = new AbortController();
  ctx.res.once('close', () => {
    if (!ctx.res.writableFinished) controller.abort();
  });
  const result = await metrics.genai.withWorkflow(workflow, () =>
    runStep(metrics, clients, model, profile, operation, prompt, controller.signal),
  );
  ctx.body = { model, operation, output: result.output, tokens: result.tokens };
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
onShutdown(() => provider?.close());
