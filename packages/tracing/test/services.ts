// Starts a fixture service in its own process, traced through the built `register` entry point.
import { fileURLToPath } from 'node:url';
import { startProcess, type RunningProcess } from '@ai-orchestrator/testkit';

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
