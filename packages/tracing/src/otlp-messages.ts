// The OTLP protobuf messages around a span's own fields, written as @opentelemetry/otlp-transformer
// writes them (same fields, same order, same omissions), so requests are byte for byte the same.
// https://github.com/open-telemetry/opentelemetry-proto/tree/main/opentelemetry/proto
import type { Attributes, HrTime, Link, SpanStatus } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import { FIXED32, FIXED64, LENGTH, VARINT, type Writer } from './otlp-writer.js';

export type Scope = ReadableSpan['instrumentationScope'];

const INT64_MIN = -(2 ** 63);
const INT64_MAX = 2 ** 63;
const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;

export function spanFlags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | HAS_IS_REMOTE | (isRemote ? IS_REMOTE : 0);
}

/** Nanoseconds since the epoch as the two halves of a fixed64, exact past 2^53. */
export function writeTime(w: Writer, [seconds, nanos]: HrTime): void {
  const lower = (seconds & 0xffff) * 1e9;
  const upper = ((seconds / 0x10000) >>> 0) * 1e9;
  const low = (lower >>> 0) + (((upper & 0xffff) * 0x10000) >>> 0) + nanos;
  const high =
    Math.floor(lower / 0x1_0000_0000) + ((upper / 0x10000) >>> 0) + Math.floor(low / 0x1_0000_0000);
  w.fixed64(low >>> 0, high >>> 0);
}

function writeAnyValue(w: Writer, value: unknown): void {
  if (typeof value === 'string') {
    w.tag(1, LENGTH);
    w.string(value);
  } else if (typeof value === 'boolean') {
    w.tag(2, VARINT);
    w.varint(value ? 1 : 0);
  } else if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= INT64_MIN && value < INT64_MAX) {
      w.tag(3, VARINT);
      w.varint(value);
    } else {
      w.tag(4, FIXED64);
      w.double(value);
    }
  } else if (value instanceof Uint8Array) {
    w.tag(7, LENGTH);
    w.bytes(value);
  } else if (Array.isArray(value)) {
    w.tag(5, LENGTH);
    const array = w.begin();
    for (const item of value) {
      w.tag(1, LENGTH);
      const at = w.begin();
      writeAnyValue(w, item);
      w.end(at);
    }
    w.end(array);
  } else if (typeof value === 'object' && value !== null) {
    w.tag(6, LENGTH);
    const list = w.begin();
    for (const [key, item] of Object.entries(value)) {
      w.tag(1, LENGTH);
      const at = w.begin();
      writeKeyValue(w, key, item);
      w.end(at);
    }
    w.end(list);
  }
}

export function writeKeyValue(w: Writer, key: string, value: unknown): void {
  w.tag(1, LENGTH);
  w.string(key);
  w.tag(2, LENGTH);
  const at = w.begin();
  writeAnyValue(w, value);
  w.end(at);
}

/** `attributes` as repeated KeyValue in `field`. */
function writeAttributes(w: Writer, attributes: Attributes, field: number): void {
  for (const key of Object.keys(attributes)) {
    w.tag(field, LENGTH);
    const at = w.begin();
    writeKeyValue(w, key, attributes[key]);
    w.end(at);
  }
}

export function writeStatus(w: Writer, status: SpanStatus): void {
  const at = w.begin();
  if (status.message) {
    w.tag(2, LENGTH);
    w.string(status.message);
  }
  w.tag(3, VARINT);
  w.varint(status.code);
  w.end(at);
}

export function writeEvent(w: Writer, event: TimedEvent): void {
  const at = w.begin();
  w.tag(1, FIXED64);
  writeTime(w, event.time);
  w.tag(2, LENGTH);
  w.string(event.name);
  if (event.attributes) writeAttributes(w, event.attributes, 3);
  w.tag(4, VARINT);
  w.varint(event.droppedAttributesCount ?? 0);
  w.end(at);
}

export function writeLink(w: Writer, link: Link): void {
  const at = w.begin();
  const { context } = link;
  w.tag(1, LENGTH);
  w.hex(context.traceId);
  w.tag(2, LENGTH);
  w.hex(context.spanId);
  const traceState = context.traceState?.serialize();
  if (traceState) {
    w.tag(3, LENGTH);
    w.string(traceState);
  }
  if (link.attributes) writeAttributes(w, link.attributes, 4);
  w.tag(5, VARINT);
  w.varint(link.droppedAttributesCount ?? 0);
  w.tag(6, FIXED32);
  w.fixed32(spanFlags(context.traceFlags, context.isRemote));
  w.end(at);
}

export function writeScope(w: Writer, scope: Scope): void {
  w.tag(1, LENGTH);
  const at = w.begin();
  w.tag(1, LENGTH);
  w.string(scope.name);
  if (scope.version) {
    w.tag(2, LENGTH);
    w.string(scope.version);
  }
  const extra = scope as { attributes?: Attributes; droppedAttributesCount?: number };
  if (extra.attributes) writeAttributes(w, extra.attributes, 3);
  if (extra.droppedAttributesCount) {
    w.tag(4, VARINT);
    w.varint(extra.droppedAttributesCount);
  }
  w.end(at);
}

export function writeResource(w: Writer, resource: Resource): void {
  w.tag(1, LENGTH);
  const at = w.begin();
  writeAttributes(w, resource.attributes, 1);
  w.tag(2, VARINT);
  w.varint(0);
  w.end(at);
}
