// The collector goes away under steady load and comes back: no crash, no unhandled rejection,
// bounded memory, dropped spans counted, and export resumes.
import { afterAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from './otlp-receiver.js';
import { startService, type Service } from './services.js';

interface Stats {
  heapUsed: number;
  unhandled: number;
}

/** `total` requests, `concurrency` at a time; returns the status codes. */
async function load(base: string, total: number, concurrency = 4): Promise<number[]> {
  const statuses: number[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      next += 1;
      const res = await fetch(`${base}/work/${next}`);
      await res.arrayBuffer();
      statuses.push(res.status);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return statuses;
}

async function dropped(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return [...text.matchAll(/^tracing_spans_dropped_total\{[^}]*\} (\d+)/gm)].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
}

async function stats(base: string): Promise<Stats> {
  return (await (await fetch(`${base}/stats`)).json()) as Stats;
}

describe('collector outage', () => {
  let receiver: OtlpReceiver | undefined;
  let service: Service | undefined;

  afterAll(async () => {
    await service?.proc.stop();
    await receiver?.close();
  });

  it('drops and counts spans while the receiver is down, then exports again', async () => {
    receiver = await startOtlpReceiver(); // on a port the OS picks; it comes back on that port
    const { port } = receiver;
    service = await startService('outage-service.cjs', { OTLP_URL: receiver.url }, ['--expose-gc']);
    const base = service.url;
    const isWork = (s: { name: string }) => s.name === 'GET /work/:id';

    expect(await load(base, 40)).toEqual(Array(40).fill(200));
    await receiver.waitFor((spans) => spans.some(isWork));
    const before = await stats(base);
    expect(await dropped(base)).toBe(0);

    await receiver.close();
    receiver = undefined;
    // steady load against a dead collector: every request still succeeds
    const during = await load(base, 600, 6);
    expect(during).toHaveLength(600);
    expect(during.every((status) => status === 200)).toBe(true);
    const lost = await dropped(base);
    expect(lost).toBeGreaterThan(0);
    const after = await stats(base);
    expect(after.unhandled).toBe(0);
    // the queue holds at most 64 spans: the heap must not grow with the ~2000 spans of 600 requests
    expect(after.heapUsed - before.heapUsed).toBeLessThan(16 * 1024 * 1024);

    receiver = await startOtlpReceiver({ port });
    const back = receiver;
    await expect
      .poll(
        async () => {
          await load(base, 10);
          return back.spans().some(isWork);
        },
        { timeout: 15_000, interval: 200 },
      )
      .toBe(true);
    expect(service.proc.child.exitCode).toBeNull();
    expect((await stats(base)).unhandled).toBe(0);
    expect(await dropped(base)).toBeGreaterThanOrEqual(lost);
  });
});
