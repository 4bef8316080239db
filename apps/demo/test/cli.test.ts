// `pnpm demo` as a user runs it: stopping by itself after --duration, and stopped with Ctrl-C,
// which a terminal delivers as SIGINT to its whole foreground process group (pnpm, the shell,
// the runner — and every child that shares the group).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../src/index.js';

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly out: string;
  /** In the environment of the run and of everything it started. */
  readonly marker: string;
  /** How many processes carried the marker when SIGINT was sent. */
  readonly runningAtSignal: number;
}

/** Runs a command in its own process group, optionally sending SIGINT to the group once `when` matches. */
function run(command: string, args: string[], when?: RegExp): Promise<Run> {
  const marker = `AIO_DEMO_TEST_RUN=${randomUUID()}`;
  const child = spawn(command, args, {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, AIO_DEMO_TEST_RUN: marker.split('=')[1] },
  });
  let out = '';
  let sent = false;
  let runningAtSignal = 0;
  const keep = (chunk: Buffer) => {
    out += chunk.toString();
    if (when && !sent && when.test(out)) {
      sent = true;
      runningAtSignal = leftRunning(marker).length;
      process.kill(-(child.pid as number), 'SIGINT'); // what Ctrl-C in a terminal does
    }
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return new Promise((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, out, marker, runningAtSignal })),
  );
}

/** The final summary, and what the load generator says it did. */
function summary(out: string) {
  const final =
    /demo summary: (-?\d+) gateway requests, (-?\d+) workflow executions, MAU (-?\d+)/.exec(out);
  const loadgen = /loadgen: done, (\d+) steps, (\d+) network errors/.exec(out);
  return {
    requests: Number(final?.[1] ?? NaN),
    workflows: Number(final?.[2] ?? NaN),
    mau: Number(final?.[3] ?? NaN),
    steps: Number(loadgen?.[1] ?? NaN),
    networkErrors: Number(loadgen?.[2] ?? NaN),
  };
}

/** The summary counts what the load generator really sent: one or two gateway requests a step. */
function expectRealSummary(out: string): void {
  const s = summary(out);
  expect(s.steps, out).toBeGreaterThan(10);
  expect(s.requests, out).toBeGreaterThanOrEqual(s.steps - s.networkErrors);
  expect(s.requests, out).toBeLessThanOrEqual(2 * s.steps);
  expect(s.workflows, out).toBeGreaterThan(0);
  expect(s.workflows, out).toBeLessThanOrEqual(s.steps);
  expect(s.mau, out).toBeGreaterThan(0);
}

/** Processes whose environment carries the run's marker: what the demo started and left running. */
function leftRunning(marker: string): string[] {
  const left: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(marker))
        left.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ')}`);
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return left;
}

describe('pnpm demo', () => {
  it('--duration 20: exits 0 and its summary shows traffic', async () => {
    const { code, out, marker } = await run('pnpm', ['demo', '--duration', '20']);
    expect(code, out).toBe(0);
    expect(out).toMatch(/\[\d+s\] \| req\/s [1-9]/);
    expectRealSummary(out);
    // The engine's model calls go through the real openai SDK to the fake provider.
    expect(out).toMatch(/\| tokens\/s [1-9]\d* \| spend \$\d+\.\d\d \|/);
    const genai = /MAU \d+, (\d+) GenAI tokens, spend \$(\d+\.\d\d)/.exec(out);
    expect(Number(genai?.[1]), out).toBeGreaterThan(0);
    expect(Number(genai?.[2]), out).toBeGreaterThan(0);
    expect(leftRunning(marker)).toEqual([]);
  }, 180_000);

  it.each([
    ['node apps/demo/dist/cli.js', process.execPath, [join(ROOT, 'apps/demo/dist/cli.js')]],
    ['pnpm demo', 'pnpm', ['demo']],
  ])(
    'Ctrl-C (SIGINT to the process group) under %s: a real final summary, then exit 0',
    async (_name, command, args) => {
      const twoSummaries = /(\[\d+s\] \|[^\n]*\n[\s\S]*){2}/;
      const { code, signal, out, marker, runningAtSignal } = await run(
        command,
        [...args, '--interval', '2'],
        twoSummaries,
      );
      expect(signal, out).toBeNull();
      expect(code, out).toBe(0);
      expect(out).toContain('stopping…');
      expect(out).not.toMatch(/ELIFECYCLE|Command failed/);
      expectRealSummary(out);
      // the runner, three services and the load generator at least, all gone after the exit
      expect(runningAtSignal).toBeGreaterThanOrEqual(5);
      expect(leftRunning(marker)).toEqual([]);
    },
    180_000,
  );
});
