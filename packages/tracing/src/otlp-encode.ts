// OTLP/protobuf ExportTraceServiceRequest, byte for byte what @opentelemetry/otlp-transformer's
// ProtobufTraceSerializer writes, in one pass and remembering what repeats from span to span: the
// encoded `key = value` of each attribute key's last value and of span names. Serialising was the
// largest per-span cost of the export path (two passes, every string re-encoded every time).
// https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/trace/v1/trace.proto
import type { Attributes, AttributeValue, HrTime, Link, SpanStatus } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import { FIXED32, FIXED64, LENGTH, VARINT, Writer } from './otlp-writer.js';

type Scope = ReadableSpan['instrumentationScope'];

// Remembered encodings: up to this many keys and names, of values up to this long.
const REMEMBERED = 4096;
const REMEMBERED_LENGTH = 256;
const INT64_MIN = -(2 ** 63);
const INT64_MAX = 2 ** 63;
const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;

function spanFlags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | HAS_IS_REMOTE | (isRemote ? IS_REMOTE : 0);
}

/** Nanoseconds since the epoch as the two halves of a fixed64, exact past 2^53. */
function writeTime(w: Writer, [seconds, nanos]: HrTime): void {
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

function writeKeyValue(w: Writer, key: string, value: unknown): void {
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

function writeStatus(w: Writer, status: SpanStatus): void {
  const at = w.begin();
  if (status.message) {
    w.tag(2, LENGTH);
    w.string(status.message);
  }
  w.tag(3, VARINT);
  w.varint(status.code);
  w.end(at);
}

function writeEvent(w: Writer, event: TimedEvent): void {
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

function writeLink(w: Writer, link: Link): void {
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

function writeScope(w: Writer, scope: Scope): void {
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

function writeResource(w: Writer, resource: Resource): void {
  w.tag(1, LENGTH);
  const at = w.begin();
  writeAttributes(w, resource.attributes, 1);
  w.tag(2, VARINT);
  w.varint(0);
  w.end(at);
}

/** Spans by resource, then by instrumentation scope, in the order they first appear. */
function group(spans: readonly ReadableSpan[]): Map<Resource, Map<Scope, ReadableSpan[]>> {
  const resources = new Map<Resource, Map<Scope, ReadableSpan[]>>();
  for (const span of spans) {
    let scopes = resources.get(span.resource);
    if (scopes === undefined) resources.set(span.resource, (scopes = new Map()));
    const list = scopes.get(span.instrumentationScope);
    if (list === undefined) scopes.set(span.instrumentationScope, [span]);
    else list.push(span);
  }
  return resources;
}

function rememberable(value: AttributeValue | undefined): boolean {
  return (
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    (typeof value === 'string' && value.length <= REMEMBERED_LENGTH)
  );
}

interface Slot {
  /** Recent values of the key and their encoded fields; `next` is overwritten next. */
  readonly values: AttributeValue[];
  readonly fields: Uint8Array[];
  next: number;
  /** Misses in a row: a value that changes span after span (a client port) is not copied. */
  misses: number;
}

// Values remembered per key (one key often takes turns between a few values across span kinds),
// and misses in a row after which a key's new values are no longer remembered, until one repeats.
const RECENT = 4;
const VOLATILE = 8;

/**
 * Encodes trace export requests; one instance per exporter, as it remembers encodings.
 *
 * @example
 * const body = new TraceEncoder().encode(spans); // what ProtobufTraceSerializer.serializeRequest gives
 */
export class TraceEncoder {
  private readonly w = new Writer();
  // span attribute key -> its last value and that pair's encoded repeated-KeyValue field
  private readonly attributes = new Map<string, Slot>();
  private readonly names = new Map<string, Uint8Array>();

  /** The ExportTraceServiceRequest for `spans`, as protobuf bytes. */
  encode(spans: readonly ReadableSpan[]): Uint8Array {
    const w = this.w;
    w.reset();
    for (const [resource, scopes] of group(spans)) {
      w.tag(1, LENGTH);
      const resourceSpans = w.begin();
      writeResource(w, resource);
      for (const [scope, list] of scopes) {
        w.tag(2, LENGTH);
        const scopeSpans = w.begin();
        writeScope(w, scope);
        for (const span of list) this.span(span);
        if (scope.schemaUrl) {
          w.tag(3, LENGTH);
          w.string(scope.schemaUrl);
        }
        w.end(scopeSpans);
      }
      if (resource.schemaUrl) {
        w.tag(3, LENGTH);
        w.string(resource.schemaUrl);
      }
      w.end(resourceSpans);
    }
    return w.result();
  }

  private span(span: ReadableSpan): void {
    const w = this.w;
    w.tag(2, LENGTH);
    const at = w.begin();
    const ctx = span.spanContext();
    w.tag(1, LENGTH);
    w.hex(ctx.traceId);
    w.tag(2, LENGTH);
    w.hex(ctx.spanId);
    const traceState = ctx.traceState?.serialize();
    if (traceState) {
      w.tag(3, LENGTH);
      w.string(traceState);
    }
    const parent = span.parentSpanContext;
    if (parent?.spanId) {
      w.tag(4, LENGTH);
      w.hex(parent.spanId);
    }
    this.name(span.name);
    const kind = span.kind == null ? 0 : span.kind + 1; // OTLP counts SPAN_KIND_UNSPECIFIED as 0
    if (kind !== 0) {
      w.tag(6, VARINT);
      w.varint(kind);
    }
    w.tag(7, FIXED64);
    writeTime(w, span.startTime);
    w.tag(8, FIXED64);
    writeTime(w, span.endTime);
    if (span.attributes) this.spanAttributes(span.attributes);
    w.tag(10, VARINT);
    w.varint(span.droppedAttributesCount);
    for (const event of span.events) {
      w.tag(11, LENGTH);
      writeEvent(w, event);
    }
    w.tag(12, VARINT);
    w.varint(span.droppedEventsCount);
    for (const link of span.links) {
      w.tag(13, LENGTH);
      writeLink(w, link);
    }
    w.tag(14, VARINT);
    w.varint(span.droppedLinksCount);
    w.tag(15, LENGTH);
    writeStatus(w, span.status);
    w.tag(16, FIXED32);
    w.fixed32(spanFlags(ctx.traceFlags, parent?.isRemote));
    w.end(at);
  }

  private name(name: string): void {
    const known = this.names.get(name);
    if (known !== undefined) {
      this.w.raw(known);
      return;
    }
    const from = this.w.pos;
    this.w.tag(5, LENGTH);
    this.w.string(name);
    if (name.length <= REMEMBERED_LENGTH) {
      if (this.names.size >= REMEMBERED) this.names.clear();
      this.names.set(name, this.w.copy(from, this.w.pos));
    }
  }

  /** Span attributes (field 9); a key with one of its recent values is copied as encoded then. */
  private spanAttributes(attributes: Attributes): void {
    const w = this.w;
    for (const key of Object.keys(attributes)) {
      const value = attributes[key];
      const slot = this.attributes.get(key);
      const hit = slot === undefined ? -1 : slot.values.indexOf(value as AttributeValue);
      if (hit !== -1) {
        w.raw((slot as Slot).fields[hit] as Uint8Array);
        (slot as Slot).misses = 0;
        continue;
      }
      const from = w.pos;
      w.tag(9, LENGTH);
      const at = w.begin();
      writeKeyValue(w, key, value);
      w.end(at);
      if (!rememberable(value) || key.length > REMEMBERED_LENGTH) continue;
      if (slot === undefined) {
        if (this.attributes.size >= REMEMBERED) continue;
        const field = w.copy(from, w.pos);
        this.attributes.set(key, {
          values: [value as AttributeValue],
          fields: [field],
          next: 1,
          misses: 0,
        });
      } else if (++slot.misses <= VOLATILE) {
        slot.values[slot.next] = value as AttributeValue;
        slot.fields[slot.next] = w.copy(from, w.pos);
        slot.next = (slot.next + 1) % RECENT;
      }
    }
  }
}
