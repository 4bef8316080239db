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
});
