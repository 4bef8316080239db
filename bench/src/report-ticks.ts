// The nextTick section of the report: what a tick costs after idle collections, with and without
// a kept tick (see ticks.ts and packages/metrics/src/tick-shape.ts).
import type { TickResult } from './results.js';

const f0 = (n: number): string => n.toFixed(0);
const f2 = (n: number): string => n.toFixed(2);

export function ticksSection(rows: readonly TickResult[]): string[] {
  const first = rows[0];
  if (first === undefined) return [];
  const label = (x: TickResult): string =>
    x.keep ? 'keeps one tick alive (`keepTickShape`)' : 'keeps no tick alive';
  return [
    '## nextTick after an idle collection',
    '',
    `Nanoseconds per \`process.nextTick\` (median of ${first.reps} chains of ${first.ticks} ticks, each tick scheduling the next), ` +
      `before and after ${first.collections} full collections run from a timer with no tick queued: what V8's memory reducer ` +
      `does to a process that has gone idle for a few seconds. Node builds each tick as an object literal with computed keys ` +
      `(its async ids); V8's feedback for each such key names the hidden class the object had before it, and holds it weakly. ` +
      `Once a collection has taken those hidden classes, the feedback turns megamorphic for good and every later tick ` +
      `defines its keys in V8's runtime, on Node 20 as on Node 24. A process that keeps one tick alive keeps them. ` +
      '`createMetrics` and the tracing package keep one; so does every bench server, bare included, so that the ' +
      'throughput ratios above do not depend on which server the reducer happened to collect between its windows ' +
      '(before they did, the Fastify adapter read 1.41 of bare in a full run, against 1.17 with the reducer off).',
    '',
    '| process | before, ns/tick | after, ns/tick | after / before |',
    '|---|---:|---:|---:|',
    ...rows.map(
      (x) =>
        `| ${label(x)} | ${f0(x.beforeNs)} | ${f0(x.afterNs)} | ${f2(x.afterNs / x.beforeNs)} |`,
    ),
    '',
  ];
}
