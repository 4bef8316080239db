import { execFile } from 'node:child_process';

export interface RunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Kill the command after this long; every step of the release test is bounded. */
  timeoutMs?: number;
}

/** Runs a command and resolves with its stdout; a failure carries the command's whole output. */
export function run(command: string, args: string[], options: RunOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd,
        env: options.env ?? process.env,
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 32 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (error) {
          const where = `\`${command} ${args.join(' ')}\` in ${options.cwd}`;
          reject(new Error(`${where} failed: ${error.message}\n${stdout}\n${stderr}`));
        } else {
          resolve(stdout);
        }
      },
    );
  });
}
