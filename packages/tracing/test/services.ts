// Starts a fixture service in its own process, traced through the built `register` entry point.
import { fileURLToPath } from 'node:url';
import { startProcess, type RunningProcess } from '@ai-orchestrator/testkit';
import { afterAll, beforeAll } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from './otlp-receiver.js';

export const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

export interface Service {
  readonly url: string;
  readonly proc: RunningProcess;
}

/** Waits for the fixture's `listening <port>` line. */
function listening(proc: RunningProcess, timeoutMs = 30_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`service did not start in ${timeoutMs} ms:\n${proc.output()}`));
    }, timeoutMs);
    const onData = (): void => {
      const match = /listening (\d+)/.exec(proc.output());
      if (match) {
        cleanup();
        resolve(Number(match[1]));
      }
    };
    const onExit = (): void => {
      cleanup();
      reject(new Error(`service exited before listening:\n${proc.output()}`));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      proc.child.stdout?.off('data', onData);
      proc.child.off('exit', onExit);
    };
    proc.child.stdout?.on('data', onData);
    proc.child.once('exit', onExit);
    onData();
  });
}

/** `--import` (ESM) or `--require` (CJS) of the built register entry. */
export function registerFlags(file: string): string[] {
  return [file.endsWith('.cjs') ? '--require' : '--import', '@ai-orchestrator/tracing/register'];
}

/**
 * Runs `test/fixtures/<file>` with `nodeArgs` (default: the register entry) and `scriptArgs`, from
 * the package directory so the fixture's frameworks resolve like an app's would.
 */
export async function startService(
  file: string,
  env: Record<string, string>,
  nodeArgs: string[] = registerFlags(file),
  scriptArgs: string[] = [],
): Promise<Service> {
  const script = fileURLToPath(new URL(`./fixtures/${file}`, import.meta.url));
  const proc = startProcess(process.execPath, [...nodeArgs, script, ...scriptArgs], {
    cwd: PACKAGE_DIR,
    env: {
      ...process.env,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      PORT: '0',
      ...env,
    },
  });
  const port = await listening(proc);
  return { url: `http://127.0.0.1:${port}`, proc };
}

/**
 * Starts `files` last to first, each calling the one after it (`DOWNSTREAM`), with `env` and
 * `OTEL_SERVICE_NAME` from `names`; returns them first to last.
 */
export async function startChain(
  files: readonly string[],
  names: readonly string[],
  env: Record<string, string>,
): Promise<Service[]> {
  const started: Service[] = [];
  for (let i = files.length - 1; i >= 0; i--) {
    const downstream = started[0];
    started.unshift(
      await startService(files[i] as string, {
        ...env,
        OTEL_SERVICE_NAME: names[i] as string,
        ...(downstream !== undefined ? { DOWNSTREAM: downstream.url } : {}),
      }),
    );
  }
  return started;
}

export interface TracedFixture {
  /** The receiver the fixture exports to. */
  receiver(): OtlpReceiver;
  /** The fixture's process. */
  service(): Service;
  /** The ports of a fixture that prints `listening <port> <port> ...`, in that order. */
  ports(): string[];
}

/**
 * For the tests of the calling `describe`: an OTLP receiver, and `test/fixtures/<file>` run with
 * `OTLP_URL` pointing at it (the fixture initialises tracing itself); both stopped afterwards.
 */
export function tracedFixture(file: string): TracedFixture {
  let receiver: OtlpReceiver | undefined;
  let service: Service | undefined;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    service = await startService(file, { OTLP_URL: receiver.url }, []);
  });
  afterAll(async () => {
    await service?.proc.stop();
    await receiver?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error(`${file} has not started`);
    return value;
  };
  return {
    receiver: () => started(receiver),
    service: () => started(service),
    ports: () => /listening ([\d ]+)/.exec(started(service).proc.output())?.[1]?.split(' ') ?? [],
  };
}
