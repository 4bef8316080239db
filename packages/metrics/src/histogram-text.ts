// A family's exposition written in slices (a histogram series by series, a counter or gauge line
// by line): each slice runs a few milliseconds and gives chunks of the body, and the event loop
// runs before the next slice.
// Lines are written as bytes: a series' `name_bucket{labels,` once, copied to its other lines.
import { writeValue, type ChunkWriter } from './chunk-writer.js';
import type { HistogramSeries, Labels } from './prom-internals/probe.js';
import {
  escapeLabelValue,
  familyHeader,
  familyText,
  formatExemplar,
  formatValue,
  labelPairs,
  type Sample,
} from './text-format.js';

// A slice of rendering ends after this long, so requests keep being served during a scrape.
const SLICE_MS = 4;
// How long a slice may have run for a family's series to be counted in it (see histogramChunks).
const FRESH_MS = 0.5;
// Series rendered between two looks at the clock (about 0.1 ms of work at 17 lines a series).
const CHECK_EVERY = 8;
// Counter and gauge samples (one line each) between two looks at the clock.
const SAMPLES_PER_CHECK = 128;
// The most bytes a value takes: `String(-0.0000012345678901234567)` is 25 (a fixed-point value
// of 17 digits just above 1e-6; below it and above 1e21, exponents: at most 24).
const VALUE_BYTES = 25;
const NEWLINE = 0x0a;
const COMMA = 0x2c;
const SPACE = 0x20;
const OPEN = 0x7b;
const CLOSE = 0x7d;

/** A histogram's series read one at a time, so no step copies all of them at once. */
export interface HistogramSource {
  readonly name: string;
  readonly help: string;
  /** The bucket bounds, ascending (+Inf not included). */
  readonly bounds: readonly number[];
  /** An object that lives as long as the histogram: what is encoded once is kept with it. */
  readonly owner: object;
  /**
   * How many series there are. A registry's histogram reads its series' keys when this is first
   * read: from its key index when it has one, else from its map in one step as long as the map is
   * large (see slowCount).
   */
  readonly count: number;
  /** True when reading `count` may take a while: a histogram whose keys are read, large at its last count. */
  readonly slowCount: boolean;
  /** The i-th series, or undefined when it was removed since its keys were read. */
  at(i: number): HistogramSeries | undefined;
}

/** A family of one line per sample, its samples read one at a time (see HistogramSource). */
export interface SampleSource {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  /** How many samples there are; a registry's counter or gauge reads its keys when this is first read. */
  readonly count: number;
  /** True when reading `count` may take a while (see HistogramSource). */
  readonly slowCount: boolean;
  /** The i-th sample, or undefined when its series was removed since its keys were read. */
  at(i: number): Sample | undefined;
}

/** The time a slice has run, and the pause between slices. */
export class SliceClock {
  /** One clock lives as long as the module, for the reason told at ChunkWriter.kept. */
  static readonly kept = new SliceClock();

  #start = performance.now();

  /** True when the current slice has used its time. */
  due(): boolean {
    return this.used(SLICE_MS);
  }

  /** True when the current slice has run for more than `ms`. */
  used(ms: number): boolean {
    return performance.now() - this.#start > ms;
  }

  /** Lets the event loop run (I/O included), then starts a new slice. */
  async pause(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    this.#start = performance.now();
  }
}

/** 2 when the slice is over, else 1 when a chunk is full, else 0: what breathe() has to do. */
function breath(clock: SliceClock, out: ChunkWriter): 0 | 1 | 2 {
  if (clock.due()) return 2;
  return out.hasChunk() ? 1 : 0;
}

/**
 * Hands out what is written; then, when the slice is over (`need` 2, see breath()), waits for the
 * event loop. Callers look at breath() first: a call makes generator objects, most would have
 * nothing to do.
 */
async function* breathe(
  clock: SliceClock,
  out: ChunkWriter,
  need: 1 | 2,
): AsyncGenerator<Buffer, void, undefined> {
  yield* out.take();
  if (need === 2) await clock.pause();
}

/**
 * True when familyStart() has something to do: callers look first, as at breath(), so that a
 * registry of many small families does not make generator objects for each of them.
 */
function familyStartDue(slowCount: boolean, clock: SliceClock, out: ChunkWriter): boolean {
  return slowCount || breath(clock, out) !== 0;
}

/**
 * Before a family's first line. Counting a large family's series reads their keys in one step
 * (see HistogramSource.count): it starts a slice of its own, unless this one has hardly begun, so
 * the two do not add up to one stall. Any other family starts a new slice when this one is over:
 * many small families would otherwise never look at the clock (20k counters of one series each
 * rendered in one 150 ms step).
 */
async function* familyStart(
  slowCount: boolean,
  clock: SliceClock,
  out: ChunkWriter,
): AsyncGenerator<Buffer, void, undefined> {
  if (slowCount && clock.used(FRESH_MS)) {
    yield* out.take();
    await clock.pause();
    return;
  }
  const need = breath(clock, out);
  if (need !== 0) yield* breathe(clock, out, need);
}

interface RenderedLabels {
  /** The label set this was rendered from. */
  readonly labels: Labels;
  readonly names: readonly string[];
  readonly values: readonly unknown[];
  readonly text: string;
  /** The text's UTF-8 length: its length when it is ASCII, then written as Latin-1 (a plain copy). */
  readonly bytes: number;
}

// A label set's `name="value",…`, kept while prom-client keeps the label set: a scrape renders
// only the label sets that are new, or were changed in place since they were rendered.
const rendered = new WeakMap<Labels, RenderedLabels>();
let lastNames: readonly string[] = [];

function unchanged(before: RenderedLabels, labels: Labels): boolean {
  let i = 0;
  for (const name in labels) {
    if (name !== before.names[i] || labels[name] !== before.values[i]) return false;
    i++;
  }
  return i === before.names.length;
}

function pairsOf(labels: Labels): RenderedLabels {
  const before = rendered.get(labels);
  if (before !== undefined && unchanged(before, labels)) return before;
  let names = Object.keys(labels);
  // Series of one metric share their label names: one array for all of them.
  if (names.length === lastNames.length && names.every((name, i) => name === lastNames[i])) {
    names = lastNames as string[];
  } else lastNames = names;
  const text = labelPairs(labels);
  const made: RenderedLabels = {
    labels,
    names,
    values: names.map((name) => labels[name]),
    text,
    bytes: Buffer.byteLength(text),
  };
  rendered.set(labels, made);
  return made;
}

/**
 * The label pairs of the series at `i`: what the histogram's last scrape rendered at `i` when the
 * series there still has that label set, unchanged (a histogram's series keep their order from
 * scrape to scrape, new ones last), else as pairsOf() finds them. Reading the array in order
 * costs a fraction of a lookup in `rendered`, whose 10k entries are scattered in memory.
 */
function renderedAt(
  labels: Labels,
  last: (RenderedLabels | undefined)[],
  i: number,
): RenderedLabels {
  const before = last[i];
  if (before !== undefined && before.labels === labels && unchanged(before, labels)) return before;
  const made = pairsOf(labels);
  last[i] = made;
  return made;
}

/** What histograms with the same bucket bounds share. */
interface Shape {
  /** The byte length of `le="…"} ` of each bound, then of +Inf. */
  readonly leBytes: Int32Array;
  readonly longestLe: number;
  /**
   * Those bytes as 32-bit words, each `le` padded to whole words: bound b is words
   * `leStart[b]` to `leStart[b + 1]`. Written with a DataView's stores, a 12-byte `le="0.005"} `
   * costs a quarter of a set() call (up to three bytes past its end are written too, and then
   * overwritten by the value that follows).
   */
  readonly leWords: Uint32Array;
  readonly leStart: Int32Array;
  /** The bucket keys of a series: prom-client keys buckets (and exemplars) by String(bound). */
  readonly keys: readonly string[];
  /** Writes a series' cumulative bucket counts, +Inf's excluded, into `counts`. */
  readonly cumulate: Cumulate;
  /** What cumulate() writes into, reused from series to series (a series is written at once). */
  readonly counts: Float64Array;
}

/** What every series of one histogram shares, encoded once. */
interface Layout {
  /** The name and bounds it was made for: a histogram whose own changed gets a new layout. */
  readonly name: string;
  readonly bounds: readonly number[];
  readonly bucket: Buffer;
  readonly sum: Buffer;
  readonly count: Buffer;
  readonly shape: Shape;
  /** The label pairs its last scrape rendered, by position (see renderedAt). */
  readonly pairs: (RenderedLabels | undefined)[];
}

type Cumulate = (values: Readonly<Record<string, number>>, counts: Float64Array) => void;

// Past this many buckets a reader written for the keys is slower than the loop (a reviewer's
// measurement: even at about 1,500 keys, four times slower at 2,000).
const MAX_WRITTEN_KEYS = 256;

/**
 * The reader of a shape's bucket counts. Read key by key in a loop, each read looks its key up in
 * a shared cache (the loop's one read site sees every key): about 0.3 µs a series, a tenth of a
 * 10k scrape. The reader is written for the keys instead, each read with its own site, unless
 * there are very many or the process forbids code from strings
 * (--disallow-code-generation-from-strings), when the loop is kept. The keys are String() of the
 * bounds, quoted by JSON.stringify.
 */
function cumulator(keys: readonly string[]): Cumulate {
  const loop: Cumulate = (values, counts) => {
    let acc = 0;
    for (let b = 0; b < keys.length; b++) counts[b] = acc += values[keys[b] as string] as number;
  };
  if (keys.length > MAX_WRITTEN_KEYS) return loop;
  const reads = keys.map((key, b) => `counts[${b}] = acc += values[${JSON.stringify(key)}];`);
  try {
    return new Function('values', 'counts', `let acc = 0;\n${reads.join('\n')}`) as Cumulate;
  } catch {
    return loop;
  }
}

// Shapes by their bounds' text (type and String() of each: the bounds are the user's, any
// value), so histograms with the same buckets share one, and the cluster primary, whose bounds
// arrays come anew with each scrape, writes no reader again. At most MAX_SHAPES are kept.
const MAX_SHAPES = 256;
const shapes = new Map<string, Shape>();

function shapeOf(bounds: readonly number[]): Shape {
  const id = JSON.stringify(bounds.map((bound) => [typeof bound, String(bound)]));
  let shape = shapes.get(id);
  if (shape !== undefined) return shape;
  const keys = bounds.map(String);
  const le = [...bounds.map(formatValue), '+Inf'].map((bound) =>
    Buffer.from(`le="${escapeLabelValue(bound)}"} `),
  );
  const leStart = new Int32Array(le.length + 1);
  le.forEach((bytes, b) => (leStart[b + 1] = (leStart[b] as number) + Math.ceil(bytes.length / 4)));
  const padded = Buffer.alloc((leStart[le.length] as number) * 4);
  le.forEach((bytes, b) => bytes.copy(padded, (leStart[b] as number) * 4));
  const leWords = new Uint32Array(leStart[le.length] as number);
  for (let k = 0; k < leWords.length; k++) leWords[k] = padded.readUInt32LE(k * 4);
  shape = {
    leBytes: Int32Array.from(le, (bytes) => bytes.length),
    longestLe: Math.max(...le.map((bytes) => bytes.length)),
    leWords,
    leStart,
    keys,
    cumulate: cumulator(keys),
    counts: new Float64Array(keys.length),
  };
  if (shapes.size >= MAX_SHAPES) shapes.clear();
  shapes.set(id, shape);
  return shape;
}

// Layouts kept with the object a source names as its histogram's (`owner`), as long as it lives.
const layouts = new WeakMap<object, Layout>();

function layoutOf(source: HistogramSource): Layout {
  const { name, bounds, owner } = source;
  let layout = layouts.get(owner);
  if (layout === undefined || layout.name !== name || layout.bounds !== bounds) {
    layout = {
      name,
      bounds,
      bucket: Buffer.from(`${name}_bucket{`),
      sum: Buffer.from(`${name}_sum`),
      count: Buffer.from(`${name}_count`),
      shape: shapeOf(bounds),
      pairs: [],
    };
    layouts.set(owner, layout);
  }
  return layout;
}

/** The exemplar text after each bucket line (OpenMetrics), +Inf's last (prom-client's key -1). */
function exemplarTexts(entry: HistogramSeries, layout: Layout): string[] | undefined {
  const exemplars = entry.bucketExemplars;
  if (exemplars === undefined) return undefined;
  return [...layout.shape.keys, '-1'].map((key) => formatExemplar(exemplars[key]));
}

/** `open{pairs} value\n`, the labels copied from `from`..`to`, where the bucket lines have them. */
function writeTotal(
  buf: Buffer,
  view: DataView<ArrayBufferLike>,
  at: number,
  open: Buffer,
  from: number,
  to: number,
  value: number,
): number {
  let off = at;
  buf.set(open, off);
  off += open.length;
  if (to > from) {
    buf[off++] = OPEN;
    buf.copyWithin(off, from, to);
    off += to - from;
    buf[off++] = CLOSE;
  }
  buf[off++] = SPACE;
  off = writeValue(buf, view, off, value);
  buf[off++] = NEWLINE;
  return off;
}

// Where a series' `name_bucket{pairs,` is written before it is copied to each line, and views of
// its start by length (set() copies a whole view): no view is made per series. Views are kept for
// heads up to KEPT_VIEWS bytes (at most that many views); a longer head gets a view of its own,
// and one longer than the scratch buffer memory of its own.
const KEPT_VIEWS = 512;
const SCRATCH_BYTES = 4096;
const scratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);
const heads: (Uint8Array | undefined)[] = [];

/** `bucket` and `pairs` (and a comma when there are pairs), written once for a series' lines. */
function headOf(bucket: Buffer, pairs: RenderedLabels): Uint8Array {
  const { text, bytes } = pairs;
  const length = bucket.length + bytes + (bytes > 0 ? 1 : 0);
  const into = length > SCRATCH_BYTES ? Buffer.allocUnsafe(length) : scratch;
  into.set(bucket, 0);
  into.write(text, bucket.length, bytes === text.length ? 'latin1' : 'utf8');
  if (bytes > 0) into[length - 1] = COMMA;
  if (into !== scratch) return into;
  if (length > KEPT_VIEWS) return new Uint8Array(scratch.buffer, scratch.byteOffset, length);
  let head = heads[length];
  if (head === undefined) {
    head = new Uint8Array(scratch.buffer, scratch.byteOffset, length);
    heads[length] = head;
  }
  return head;
}

/** Writes one series' bucket, sum and count lines, as familyText() would from prom-client's get(). */
function writeSeries(
  out: ChunkWriter,
  layout: Layout,
  entry: HistogramSeries,
  i: number,
  openMetrics: boolean,
) {
  const pairs = renderedAt(entry.labels, layout.pairs, i);
  const marks = openMetrics ? exemplarTexts(entry, layout) : undefined;
  const { bucket, shape } = layout;
  const { leBytes, keys, counts, leWords, leStart } = shape;
  const labelBytes = pairs.bytes + 3;
  // (the value's room holds the up to three bytes an `le` or a count writes past its end)
  const line = bucket.length + labelBytes + shape.longestLe + VALUE_BYTES + 1;
  let need = line * leBytes.length + 2 * (layout.count.length + labelBytes + VALUE_BYTES + 1);
  if (marks) for (const mark of marks) need += mark.length * 3;
  out.reserve(need);
  const buf = out.buf;
  const view = out.view;
  let off = out.off;
  // The lines' `name_bucket{pairs,` is written once, then copied to the start of each line.
  const head = headOf(bucket, pairs);
  const headBytes = head.length;
  const pairsAt = off + bucket.length;
  const pairsEnd = pairsAt + pairs.bytes;
  shape.cumulate(entry.bucketValues, counts);
  for (let b = 0; b < leBytes.length; b++) {
    buf.set(head, off);
    off += headBytes;
    let at = off;
    for (let k = leStart[b] as number, last = leStart[b + 1] as number; k < last; k++) {
      view.setUint32(at, leWords[k] as number, true);
      at += 4;
    }
    off += leBytes[b] as number;
    off = writeValue(buf, view, off, b < keys.length ? (counts[b] as number) : entry.count);
    if (marks) off += buf.write(marks[b] as string, off, 'utf8');
    buf[off++] = NEWLINE;
  }
  off = writeTotal(buf, view, off, layout.sum, pairsAt, pairsEnd, entry.sum);
  out.off = writeTotal(buf, view, off, layout.count, pairsAt, pairsEnd, entry.count);
}

/**
 * Writes a family of one line per sample (what prom-client's get() gives for any family but a
 * histogram read from its series) into `out`, line by line, and yields its chunks, at least one
 * per slice: a counter or gauge of many series does not hold the event loop.
 */
export async function* familyChunks(
  source: SampleSource,
  openMetrics: boolean,
  clock: SliceClock,
  out: ChunkWriter,
): AsyncGenerator<Buffer, void, undefined> {
  const { header, line } = familyText(source, openMetrics);
  out.text(header);
  if (familyStartDue(source.slowCount, clock, out))
    yield* familyStart(source.slowCount, clock, out);
  const count = source.count;
  for (let i = 0; i < count; i++) {
    const sample = source.at(i);
    if (sample !== undefined) out.text(line(sample));
    if (i % SAMPLES_PER_CHECK !== SAMPLES_PER_CHECK - 1) continue;
    const need = breath(clock, out);
    if (need !== 0) yield* breathe(clock, out, need);
  }
}

/**
 * Writes what familyChunks() writes for a Histogram's get() into `out`, and yields its chunks, at
 * least one per slice, waiting for the event loop between slices.
 */
export async function* histogramChunks(
  source: HistogramSource,
  openMetrics: boolean,
  clock: SliceClock,
  out: ChunkWriter,
): AsyncGenerator<Buffer, void, undefined> {
  const layout = layoutOf(source);
  out.text(familyHeader(source.name, source.help, 'histogram'));
  if (familyStartDue(source.slowCount, clock, out))
    yield* familyStart(source.slowCount, clock, out);
  const count = source.count;
  for (let i = 0; i < count; i++) {
    const entry = source.at(i);
    if (entry !== undefined) writeSeries(out, layout, entry, i, openMetrics);
    if (i % CHECK_EVERY !== CHECK_EVERY - 1) continue;
    const need = breath(clock, out);
    if (need !== 0) yield* breathe(clock, out, need);
  }
  // What was rendered past the last series belongs to none now: its label sets may go.
  if (layout.pairs.length > count) layout.pairs.length = count;
}
