// Runs the README examples against the built package, as a user would.
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startProcess } from '@ai-orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from './otlp-receiver.js';
import { PACKAGE_DIR } from './services.js';

const example = (name: string) => fileURLToPath(new URL(`../examples/${name}`, import.meta.url));

describe('README examples', () => {
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
  });
  afterAll(async () => {
    await receiver.close();
  });

  it('quickstart: traceFunction, createSpan and shutdown export redacted spans', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [example('quickstart.mjs')], {
      env: { ...process.env, JAEGER_ENDPOINT: receiver.url },
      cwd: PACKAGE_DIR,
    });
    expect(stdout).toContain('workflow returned: three bullet points');
    expect(stdout).toContain('spans flushed');
    const spans = await receiver.waitFor((s) => s.some((span) => span.name === 'custom-operation'));
    const root = spans.find((s) => s.name === 'workflow.execute')!;
    const step = spans.find((s) => s.name === 'custom-operation')!;
    expect(step.parentSpanId).toBe(root.spanId);
    expect(root.resource).toMatchObject({
      'service.name': 'workflow-api',
      'service.version': '1.4.0',
    });
    expect(root.attributes).toEqual({ 'workflow.name': 'summarize', 'user.email': '[REDACTED]' });
    expect(step.attributes).toEqual({ 'engine.type': 'openai', 'person.ssn': '[REDACTED]' });
  });

  it('--import register: an ESM Express app is traced and SIGTERM flushes before exit', async () => {
    const app = startProcess(
      process.execPath,
      ['--import', '@ai-orchestrator/tracing/register', example('express-app.mjs')],
      {
        cwd: PACKAGE_DIR,
        env: {
          ...process.env,
          PORT: '0',
          OTEL_SERVICE_NAME: 'users-api',
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url,
          OTEL_BSP_SCHEDULE_DELAY: '60000', // nothing is exported before the shutdown flush
        },
      },
    );
    try {
      await expect.poll(() => /listening (\d+)/.test(app.output()), { timeout: 30_000 }).toBe(true);
      const port = /listening (\d+)/.exec(app.output())![1];
      expect((await fetch(`http://127.0.0.1:${port}/users/7`)).status).toBe(200);
      const exited = once(app.child, 'exit');
      app.child.kill('SIGTERM');
      const [code] = await exited;
      expect(code).toBe(0);
      const spans = receiver.spans().filter((s) => s.resource['service.name'] === 'users-api');
      expect(spans.map((s) => s.name)).toContain('GET /users/:id');
    } finally {
      await app.stop();
    }
  });

  it('busy service: the default caps new traces, checkout is always traced, one span each', async () => {
    const app = startProcess(process.execPath, [example('busy-service.mjs')], {
      cwd: PACKAGE_DIR,
      env: { ...process.env, PORT: '0', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url },
    });
    try {
      await expect.poll(() => /listening (\d+)/.test(app.output()), { timeout: 30_000 }).toBe(true);
      const base = `http://127.0.0.1:${/listening (\d+)/.exec(app.output())![1]}`;
      // well past the cap, then the critical path
      const started = performance.now();
      const orders = Array.from({ length: 60 }, (_, i) => fetch(`${base}/orders/${i}`));
      expect((await Promise.all(orders)).every((res) => res.status === 200)).toBe(true);
      const seconds = (performance.now() - started) / 1000;
      for (let i = 0; i < 5; i++) {
        expect((await fetch(`${base}/checkout/c${i}`, { method: 'POST' })).status).toBe(200);
      }
      const exited = once(app.child, 'exit');
      app.child.kill('SIGTERM');
      expect((await exited)[0]).toBe(0);
      const spans = receiver.spans().filter((s) => s.resource['service.name'] === 'orders-api');
      const named = (name: string) => spans.filter((s) => s.name === name).length;
      expect(named('POST /checkout/:cartId')).toBe(5);
      // the bucket holds 10 at the start and refills at 10 a second while the burst runs
      expect(named('GET /orders/:id')).toBeGreaterThanOrEqual(10);
      expect(named('GET /orders/:id')).toBeLessThanOrEqual(Math.min(59, 11 + 10 * seconds));
      // lean: server spans only
      expect(new Set(spans.map((s) => s.kind))).toEqual(new Set([2]));
    } finally {
      await app.stop();
    }
  });
});
