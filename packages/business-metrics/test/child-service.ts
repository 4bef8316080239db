// Drives chaos-child.mjs, a service on the built package with Node's defaults (an unhandled
// rejection or uncaught exception ends it with exit code 1), through healthy, fault and recovery
// phases, and collects what it printed: one line per scrape, and a final line.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const child = fileURLToPath(new URL('./chaos-child.mjs', import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Scrape {
  readonly ms: number;
  readonly sent: number;
  readonly mau: number;
  readonly lastSuccess: number;
  readonly errors: Record<string, number>;
  readonly heapMiB: number;
}

export interface Final {
  readonly sent: number;
  readonly dropped: number;
  readonly kpis: { mau: number; stale: boolean; storeError: string | null };
  readonly warnings: string[];
  readonly heapMiB: number;
}

export interface Phases {
  /** Wait for a scrape with MAU > 0 before the fault. */
  readonly healthyStart: boolean;
  /** How long the fault phase lasts after `start()` resolved. */
  readonly faultMs: number;
  start(): Promise<unknown> | void;
  heal(): Promise<unknown> | void;
}

export interface ChildRun {
  readonly code: number | null | string;
  readonly stderr: string;
  readonly final: Final;
  readonly byPhase: Map<string, Scrape[]>;
}

/** Runs the child with `config` (JSON for chaos-child.mjs) through the phases; kills it at the end. */
export async function runChild(config: object, phases: Phases): Promise<ChildRun> {
  const proc = spawn(process.execPath, ['--expose-gc', child, JSON.stringify(config)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    proc.once('exit', (code) => resolve(code)),
  );
  let phase = 'healthy';
  const byPhase = new Map<string, Scrape[]>();
  let final: Final | undefined;
  createInterface({ input: proc.stdout }).on('line', (line) => {
    const parsed = JSON.parse(line) as { type: string } & Scrape & Final;
    if (parsed.type === 'final') final = parsed;
    else byPhase.set(phase, [...(byPhase.get(phase) ?? []), parsed]);
  });
  const until = async (what: string, ok: () => boolean, ms = 10_000) => {
    const deadline = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`${what} not seen in ${ms} ms\n${stderr}`);
      await sleep(50);
    }
  };
  const last = () => byPhase.get(phase)?.at(-1);
  try {
    // The fault clock starts once the child runs its load (its start-up is not part of the outage).
    await until('a first scrape', () => last() !== undefined);
    if (phases.healthyStart) await until('a healthy scrape', () => (last()?.mau ?? 0) > 0);
    phase = 'fault';
    await phases.start();
    await sleep(phases.faultMs);
    phase = 'recovery';
    await phases.heal();
    await until('a fresh scrape after recovery', () => {
      const s = last();
      return s !== undefined && s.lastSuccess > (byPhase.get('fault')?.at(-1)?.lastSuccess ?? 0);
    });
    proc.stdin.end('end\n');
    await until('the final report', () => final !== undefined, 30_000);
    const code = await Promise.race([exited, sleep(10_000).then(() => 'still running')]);
    return { code, stderr, final: final!, byPhase };
  } finally {
    proc.kill('SIGKILL');
  }
}
