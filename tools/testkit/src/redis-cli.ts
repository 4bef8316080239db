import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Runs one command with `redis-cli` against 127.0.0.1:`port` and returns its raw output.
 * `-e` makes an error reply reject instead of printing `ERR …` with exit code 0.
 */
export function redisCli(
  cli: string,
  port: number,
  args: readonly string[],
  timeoutMs = 10_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      cli,
      ['-e', '-h', '127.0.0.1', '-p', String(port), ...args],
      { timeout: timeoutMs, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) {
          const said = `${stdout}${stderr}`.trim();
          reject(new Error(`redis-cli -p ${port} ${args.join(' ')}: ${said || error.message}`));
        } else {
          resolve(stdout);
        }
      },
    );
  });
}

/** `field:value` lines of an INFO section (or of CLUSTER INFO) as a record. */
export function parseInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) fields[line.slice(0, at)] = line.slice(at + 1).trim();
  }
  return fields;
}

/** Polls `check` until it returns a value other than undefined; throws with `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) throw new Error(`${what}: not after ${timeoutMs} ms ${last}`);
    await sleep(100);
  }
}
