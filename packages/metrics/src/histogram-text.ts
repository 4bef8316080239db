// A histogram's exposition written from its series in slices: each slice runs a few
// milliseconds and gives chunks of the body, and the event loop runs before the next slice.
import type { HistogramSeries } from './prom-internals/probe.js';
import {
  escapeLabelValue,
  familyHeader,
  formatExemplar,
  formatValue,
  labelPairs,
} from './text-format.js';

// A slice of rendering ends after this long, so requests keep being served during a scrape.
const SLICE_MS = 4;
// Series rendered between two looks at the clock (about 0.2 ms of work at 17 lines a series).
const CHECK_EVERY = 8;
// Pieces per chunk (about 80 KB): below V8's large-object size, so a chunk written and dropped
// dies young instead of piling up in the old generation until a long full collection.
const CHUNK_PIECES = 2048;

/** A histogram's series read one at a time, so no step copies all of them at once. */
export interface HistogramSource {
  readonly name: string;
  readonly help: string;
  /** The bucket bounds, ascending (+Inf not included). */
  readonly bounds: readonly number[];
  readonly count: number;
  /** The i-th series, or undefined when it was removed since the scrape began. */
  at(i: number): HistogramSeries | undefined;
}

/** The time a slice has run, and the pause between slices. */
export class SliceClock {
  #start = performance.now();

  /** True when the current slice has used its time. */
  due(): boolean {
    return performance.now() - this.#start > SLICE_MS;
  }

  /** Lets the event loop run (I/O included), then starts a new slice. */
  async pause(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    this.#start = performance.now();
  }
}

/**
 * Yields the bytes renderFamily() writes for a Histogram's get(), one chunk per slice, after the
 * text in `carry` (earlier small families). Returns the last, unfinished slice's pieces.
 */
export async function* histogramChunks(
  source: HistogramSource,
  openMetrics: boolean,
  clock: SliceClock,
  carry: string[],
): AsyncGenerator<string, string[], undefined> {
  const name = source.name;
  const bounds = source.bounds;
  const le = bounds.map((bound) => `le="${escapeLabelValue(formatValue(bound))}"} `);
  const bucket = `${name}_bucket{`;
  const sumName = `${name}_sum`;
  const countName = `${name}_count`;
  // Pieces are joined once per slice: one flat copy instead of a rope of millions of strings.
  let pieces = carry;
  let n = pieces.length;
  pieces[n++] = familyHeader(name, source.help, 'histogram');
  for (let i = 0; i < source.count; i++) {
    const entry = source.at(i);
    if (entry === undefined) continue;
    const pairs = labelPairs(entry.labels);
    const prefix = pairs ? `${bucket}${pairs},` : bucket;
    const braced = pairs ? `{${pairs}}` : '';
    const exemplars = openMetrics ? entry.bucketExemplars : undefined;
    let acc = 0;
    for (let b = 0; b < bounds.length; b++) {
      const bound = bounds[b] as number;
      acc += entry.bucketValues[bound] as number;
      pieces[n++] = prefix;
      pieces[n++] = le[b] as string;
      pieces[n++] = formatValue(acc);
      pieces[n++] = exemplars ? `${formatExemplar(exemplars[bound])}\n` : '\n';
    }
    pieces[n++] = prefix;
    pieces[n++] = 'le="+Inf"} ';
    pieces[n++] = formatValue(entry.count);
    pieces[n++] = exemplars ? `${formatExemplar(exemplars['-1'])}\n` : '\n';
    pieces[n++] = `${sumName}${braced} ${formatValue(entry.sum)}\n`;
    pieces[n++] = `${countName}${braced} ${formatValue(entry.count)}\n`;
    if (i % CHECK_EVERY !== CHECK_EVERY - 1) continue;
    const due = clock.due();
    if (due || n >= CHUNK_PIECES) {
      pieces.length = n;
      const chunk = pieces.join('');
      pieces = [];
      n = 0;
      yield chunk;
      if (due) await clock.pause();
    }
  }
  pieces.length = n;
  return pieces;
}
