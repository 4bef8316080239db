#!/usr/bin/env node
// Bounded load: `rps` steps a second from `users` synthetic users for `duration` seconds, at most
// `concurrency` in flight; prints what it did and stops by itself.
import { parseOptions } from './options.js';
import { step } from './session.js';

const options = parseOptions(process.argv.slice(2));
const counts = new Map<string, number>();
let inFlight = 0;
let started = 0;
let errors = 0;
let stopping = false;

const deadline = Date.now() + options.durationS * 1000;
const interval = 1000 / options.rps;
console.log(
  `loadgen: ${options.rps} req/s from ${options.users} users for ${options.durationS}s against ${options.gateway}`,
);

function record(key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

const timer = setInterval(() => {
  if (stopping || Date.now() >= deadline) {
    finish();
    return;
  }
  if (inFlight >= options.concurrency) {
    record('skipped (concurrency cap)');
    return;
  }
  inFlight += 1;
  started += 1;
  step(options.gateway, options.users)
    .then((outcome) => record(`${outcome.action} ${outcome.status}`))
    .catch((error: unknown) => {
      errors += 1;
      record(`error ${(error as Error).name}`);
    })
    .finally(() => {
      inFlight -= 1;
    });
}, interval);

function finish(): void {
  if (stopping && timer === undefined) return;
  stopping = true;
  clearInterval(timer);
  const wait = setInterval(() => {
    if (inFlight > 0) return;
    clearInterval(wait);
    const lines = [...counts.entries()].sort().map(([k, v]) => `  ${k}: ${v}`);
    console.log(`loadgen: done, ${started} steps, ${errors} network errors\n${lines.join('\n')}`);
    process.exit(0);
  }, 50);
}

process.once('SIGTERM', finish);
process.once('SIGINT', finish);
