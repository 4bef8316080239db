// Load generator options: everything bounded (users, rate, duration, concurrency).
import { parseArgs } from 'node:util';

export interface LoadOptions {
  readonly gateway: string;
  readonly users: number;
  readonly rps: number;
  readonly durationS: number;
  readonly concurrency: number;
}

function bounded(
  name: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new TypeError(
      `--${name} must be a number from ${min} to ${max}, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

export function parseOptions(argv: string[]): LoadOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      gateway: { type: 'string', default: process.env.GATEWAY_URL ?? 'http://127.0.0.1:3001' },
      users: { type: 'string' },
      rps: { type: 'string' },
      duration: { type: 'string' },
      concurrency: { type: 'string' },
    },
  });
  const gateway = values.gateway as string;
  const url = new URL(gateway);
  if (
    !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) &&
    process.env.LOADGEN_ALLOW_REMOTE !== 'true'
  ) {
    throw new TypeError(
      `--gateway must be a loopback URL (set LOADGEN_ALLOW_REMOTE=true in a compose network), got ${JSON.stringify(gateway)}`,
    );
  }
  return {
    gateway: gateway.replace(/\/$/, ''),
    users: bounded('users', values.users, 500, 1, 1_000_000),
    rps: bounded('rps', values.rps, 20, 0.1, 2000),
    durationS: bounded('duration', values.duration, 60, 1, 86_400),
    concurrency: bounded('concurrency', values.concurrency, 32, 1, 512),
  };
}
