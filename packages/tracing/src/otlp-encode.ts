// OTLP/protobuf ExportTraceServiceRequest, byte for byte what @opentelemetry/otlp-transformer's
// ProtobufTraceSerializer writes, in one pass and remembering what repeats from span to span: the
// encoded `key = value` of each attribute key's recent values and of span names. Serialising was
// the largest per-span cost of the export path (two passes, every string re-encoded every time).
// https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/trace/v1/trace.proto
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import {
  spanFlags,
  writeEvent,
  writeKeyValue,
  writeLink,
  writeResource,
  writeScope,
  writeStatus,
  writeTime,
  type Scope,
} from './otlp-messages.js';
import { FIXED32, FIXED64, LENGTH, VARINT, Writer } from './otlp-writer.js';

// Remembered encodings: up to this many keys and names, of values up to this long.
const REMEMBERED = 4096;
const REMEMBERED_LENGTH = 256;

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
    const body = w.result();
    // a large request's grown buffer is not kept for the life of the process
    w.reset();
    return body;
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
