// Chaos: the OTLP endpoint refuses connections, hangs, answers 500 and 413, then recovers. The
// service runs in its own process with Node's defaults, so an unhandled rejection or an uncaught
// exception would end it: it must keep answering, keep its queue bounded, count every dropped span
// by reason, export again afterwards, and shut down within its timeout while the endpoint hangs.
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver, type ReceiverMode } from './otlp-receiver.js';
import { startService, type Service } from './services.js';

const MAX_QUEUE = 64; // as the fixture sets it
const SHUTDOWN_TIMEOUT_MS = 1000;

interface Stats {
  heapUsed: number;
  made: number;
}

async function load(base: string, total: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let started = 0; started < total; started += 8) {
    const batch = Array.from({ length: Math.min(8, total - started) }, () =>
      fetch(`${base}/work`).then(async (res) => {
        await res.arrayBuffer();
        return res.status;
      }),
    );
    statuses.push(...(await Promise.all(batch)));
  }
  return statuses;
}

async function dropped(base: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^tracing_spans_dropped_total\{[^}]*reason="(\w+)"\} (\d+)/gm)) {
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

async function stats(base: string): Promise<Stats> {
  return (await (await fetch(`${base}/stats`)).json()) as Stats;
}

const sum = (counts: Record<string, number>): number =>
  Object.values(counts).reduce((a, b) => a + b, 0);

describe('chaos: the OTLP endpoint fails in every way, then recovers', () => {
  let receiver: OtlpReceiver | undefined;
  let service: Service | undefined;

  afterAll(async () => {
    await service?.proc.stop();
    await receiver?.close();
  });

  it('never crashes, keeps memory and the queue bounded, counts drops, recovers, shuts down in time', async () => {
    let closedTotal = 0; // spans received by receivers closed since
    receiver = await startOtlpReceiver(); // on a port the OS picks; it comes back on that port
    const { port } = receiver;
    const received = (): number => closedTotal + (receiver?.spans().length ?? 0);
    service = await startService('chaos-service.cjs', { OTLP_URL: receiver.url }, ['--expose-gc']);
    const base = service.url;
    expect(await load(base, 24)).toEqual(Array(24).fill(200));
    await receiver.waitFor((spans) => spans.some((s) => s.name === 'work'));
    const before = await stats(base);

    const faults: [string, ReceiverMode | 'refuse'][] = [
      ['refusing', 'refuse'],
      ['hanging', 'hang'],
      ['answering 500', { status: 500 }],
      ['answering 413', { status: 413 }],
    ];
    for (const [what, mode] of faults) {
      if (mode === 'refuse') {
        closedTotal += receiver?.spans().length ?? 0;
        await receiver?.close();
        receiver = undefined;
      } else {
        receiver ??= await startOtlpReceiver({ port });
        receiver.setMode(mode);
      }
      const statuses = await load(base, 300);
      expect(
        statuses.every((s) => s === 200),
        `${what}: every request answered`,
      ).toBe(true);
      expect(service.proc.child.exitCode, `${what}: the service is alive`).toBeNull();
    }

    const during = await dropped(base);
    expect(during.export_failed).toBeGreaterThan(0);
    expect(during.queue_full).toBeGreaterThan(0);
    const after = await stats(base);
    // ~3600 spans went nowhere: the heap must not keep them (the queue holds at most 64)
    expect(after.heapUsed - before.heapUsed).toBeLessThan(16 * 1024 * 1024);
    // every span was exported, or dropped and counted, or is still in the bounded queue
    expect(after.made - received() - sum(during)).toBeLessThanOrEqual(MAX_QUEUE + 16);
    expect(after.made - received() - sum(during)).toBeGreaterThanOrEqual(0);

    // recovery: the collector accepts again and new spans arrive
    const back = receiver!;
    back.setMode('accept');
    const seen = back.spans().length;
    await expect
      .poll(
        async () => {
          await load(base, 8);
          return back
            .spans()
            .slice(seen)
            .some((s) => s.name === 'work');
        },
        { timeout: 15_000, interval: 200 },
      )
      .toBe(true);

    // shutdown while the endpoint hangs still ends within shutdownTimeoutMs
    back.setMode('hang');
    await load(base, 40);
    const exited = once(service.proc.child, 'exit');
    const signalled = Date.now();
    service.proc.child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 3000);
    const output = service.proc.output();
    expect(output).not.toMatch(/Unhandled|uncaught|ERR_UNHANDLED_REJECTION/i);
    const took = Number(/shutdown took (\d+) ms/.exec(output)?.[1]);
    expect(took).toBeLessThanOrEqual(SHUTDOWN_TIMEOUT_MS + 250); // + event-loop latency

    // each kind of failure is logged once, as what it is (not all as "collector down")
    for (const cause of [
      /ECONNREFUSED .*\(nothing listens at the OTLP endpoint\)/,
      /timed out \(the collector did not answer within exportTimeoutMs\)/,
      /answered HTTP 500 Internal Server Error/,
      /answered HTTP 413 Payload Too Large/,
      /\(queue_full\)/,
      /\(shutdown\)/,
    ]) {
      const lines = output.split('\n').filter((line) => cause.test(line));
      expect(lines, String(cause)).toHaveLength(1);
    }
  });
});
