// Chaos suite: a service using the built package under load against a real redis-server that is
// unreachable, refuses the password, presents an untrusted certificate, freezes (SIGSTOP) or dies
// and comes back on the same port. The service runs as a child process with Node's defaults, so an
// unhandled rejection or uncaught exception would end it with exit code 1.
import { Redis } from 'ioredis';
import {
  createCertificates,
  freePort,
  requireBinary,
  startRedis,
  tempDir,
  type RedisServer,
  type RedisStartOptions,
} from '@ai-orchestrator/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { runChild, type ChildRun } from './child-service.js';

const bin = requireBinary('redis-server');
const openssl = requireBinary('openssl');

const STORE_TIMEOUT_MS = 500;
const MAX_BUFFERED = 2000;
// 1000 new users a second: a 3 s outage outgrows the buffer, so drops are part of the count.
const CONFIG = {
  storeTimeoutMs: STORE_TIMEOUT_MS,
  flushIntervalMs: 100,
  cacheTtlMs: 100,
  maxBufferedEvents: MAX_BUFFERED,
  loadEveryMs: 50,
  usersPerTick: 50,
  scrapeEveryMs: 300,
};
const FAULT_MS = 3000;
const HLL_ERROR = 0.03; // 2^14 registers: 0.81% standard error, so 3% is past 3 sigma

interface Fault {
  readonly url: string;
  readonly ca?: string;
  /** The `operation:reason` the outage must be counted under. */
  readonly reason: string;
  /** Whether writes may have landed before the client gave up on them (they then count twice). */
  readonly partial: boolean;
  readonly healthyStart: boolean;
  start(): Promise<void> | void;
  heal(): Promise<void> | void;
}

const servers: RedisServer[] = [];
const dir = tempDir('chaos');
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  dir.remove();
});

async function server(port?: number, options?: RedisStartOptions): Promise<RedisServer> {
  const s = await startRedis(bin!, port, options);
  servers.push(s);
  return s;
}

/** Runs the child through healthy (optional), fault and recovery; returns what it printed. */
function run(fault: Fault): Promise<ChildRun> {
  return runChild({ ...CONFIG, ...fault }, { ...fault, faultMs: FAULT_MS });
}

function check(fault: Fault, result: ChildRun) {
  const { code, stderr, final, byPhase } = result;
  // Exit 0 after close(): no unhandled rejection, no uncaught exception, nothing left holding it.
  expect(stderr).not.toMatch(/Unhandled|uncaught|triggerUncaughtException/i);
  expect(code).toBe(0);

  const healthy = byPhase.get('healthy') ?? [];
  const during = byPhase.get('fault') ?? [];
  expect(during.length).toBeGreaterThanOrEqual(4);
  // Every scrape is answered by storeTimeoutMs (plus scheduling slack on a shared machine).
  for (const s of during) expect(s.ms).toBeLessThan(STORE_TIMEOUT_MS * 1.5);
  // Last values, staleness visible: from the second scrape on, the timestamp does not move.
  const frozen = during.slice(1);
  expect(new Set(frozen.map((s) => s.lastSuccess)).size).toBe(1);
  if (fault.healthyStart)
    expect(frozen.every((s) => s.mau === frozen[0]!.mau && s.mau > 0)).toBe(true);
  expect(during.at(-1)!.errors[fault.reason]).toBeGreaterThan(0);
  // Bounded memory: the buffer bound holds, however long the outage.
  const base = Math.min(...[...healthy, ...during].slice(0, 2).map((s) => s.heapMiB));
  expect(Math.max(...during.map((s) => s.heapMiB)) - base).toBeLessThan(16);

  // Catching up: every user sent is counted, except those counted as dropped past the bound.
  expect(final.kpis.stale).toBe(false);
  const kept = final.sent - final.dropped;
  expect(final.kpis.mau).toBeGreaterThanOrEqual(kept * (1 - HLL_ERROR));
  expect(final.kpis.mau).toBeLessThanOrEqual((fault.partial ? final.sent : kept) * (1 + HLL_ERROR));
  // The real cause is in the warnings, once per operation and cause.
  const causes = final.warnings.filter((w) => /store (write|read) failed/.test(w));
  expect(new Set(causes).size).toBe(causes.length);
  console.info(
    `${fault.reason}: ${during.length} scrapes in the fault, slowest ${Math.round(Math.max(...during.map((s) => s.ms)))} ms; ` +
      `sent ${final.sent}, dropped ${final.dropped}, MAU ${final.kpis.mau}`,
  );
  return final;
}

describe.skipIf(!bin)('chaos: the KPI store misbehaves under load', () => {
  it('Redis unreachable, then started on that port', async () => {
    const port = await freePort();
    const fault: Fault = {
      url: `redis://127.0.0.1:${port}`,
      reason: 'write:unreachable',
      partial: false,
      healthyStart: false,
      start: () => undefined,
      heal: async () => void (await server(port)),
    };
    const final = check(fault, await run(fault));
    expect(final.dropped).toBeGreaterThan(0); // the outage outgrew maxBufferedEvents
  });

  it('wrong password, then the server accepts it', async () => {
    const redis = await server(undefined, { password: 'right' });
    const fault: Fault = {
      url: `redis://:wrong@127.0.0.1:${redis.port}`,
      reason: 'write:auth',
      partial: false,
      healthyStart: false,
      start: () => undefined,
      async heal() {
        const admin = new Redis(redis.port, '127.0.0.1', { password: 'right' });
        await admin.config('SET', 'requirepass', 'wrong');
        admin.disconnect();
      },
    };
    const final = check(fault, await run(fault));
    expect(final.warnings.join('\n')).toMatch(/store write failed \(auth\): .*WRONGPASS/);
  });

  it.skipIf(!openssl)(
    'TLS with a certificate the client does not trust, then a trusted one',
    async () => {
      const trusted = createCertificates(dir.path, 'trusted');
      const redis = await server(undefined, { tls: createCertificates(dir.path, 'untrusted') });
      const fault: Fault = {
        url: redis.url,
        ca: trusted.ca,
        reason: 'write:tls',
        partial: false,
        healthyStart: false,
        start: () => undefined,
        heal: () => redis.restart({ tls: trusted }),
      };
      const final = check(fault, await run(fault));
      expect(final.warnings.join('\n')).toMatch(/store write failed \(tls\): .*certificate/);
    },
  );

  it('frozen with SIGSTOP after a healthy start, then resumed with SIGCONT', async () => {
    const redis = await server();
    const fault: Fault = {
      url: redis.url,
      reason: 'write:timeout',
      partial: true,
      healthyStart: true,
      start: () => redis.pause(),
      heal: () => redis.resume(),
    };
    check(fault, await run(fault));
  });

  it('killed mid-load, then restarted on the same port (append-only file kept)', async () => {
    const redis = await server(undefined, { persistent: true });
    const fault: Fault = {
      url: redis.url,
      reason: 'write:unreachable',
      partial: true,
      healthyStart: true,
      start: () => redis.kill(),
      heal: () => redis.restart(),
    };
    check(fault, await run(fault));
  });
});
