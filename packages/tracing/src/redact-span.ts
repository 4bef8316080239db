// The span processor that redacts every place an ended span carries text: name, attributes (keys
// and values), events (name and attributes, so exception messages and stack traces), links,
// status message and the resource (`process.command_args`).
import type { Attributes, Context, Link } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, Span, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace';
import type { Redactor, ScanBudget } from './redact.js';

/** `items` with `fix` applied to each; the same array when `fix` changed none of them. */
function mapSame<T>(items: T[], fix: (item: T) => T): T[] {
  let out: T[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as T;
    const fixed = fix(item);
    if (fixed === item) continue;
    out ??= [...items];
    out[i] = fixed;
  }
  return out ?? items;
}

/**
 * A resource whose attributes are read redacted. Resource detectors may still be settling when
 * a span ends, so the attributes are redacted when the exporter reads them, not before.
 */
class RedactedResource implements Resource {
  readonly schemaUrl?: string;
  private settled: Attributes | undefined;

  constructor(
    private readonly resource: Resource,
    private readonly redactor: Redactor,
  ) {
    if (resource.schemaUrl !== undefined) this.schemaUrl = resource.schemaUrl;
  }

  get asyncAttributesPending(): boolean {
    return this.resource.asyncAttributesPending === true;
  }

  get attributes(): Attributes {
    if (this.settled !== undefined) return this.settled;
    const attributes = this.redactor.attributes(this.resource.attributes);
    if (!this.asyncAttributesPending) this.settled = attributes;
    return attributes;
  }

  waitForAsyncAttributes(): Promise<void> {
    return this.resource.waitForAsyncAttributes?.() ?? Promise.resolve();
  }

  merge(other: Resource | null): Resource {
    return new RedactedResource(this.resource.merge(other), this.redactor);
  }

  getRawAttributes(): ReturnType<Resource['getRawAttributes']> {
    return Object.entries(this.attributes);
  }
}

/** Redacted views of resources, one per resource so spans still group by resource on export. */
class ResourceViews {
  private readonly views = new WeakMap<Resource, Resource>();

  constructor(private readonly redactor: Redactor) {}

  /** The resource itself once it is settled and clean, a redacting view otherwise. */
  of(resource: Resource): Resource {
    const known = this.views.get(resource);
    if (known !== undefined) return known;
    if (resource.asyncAttributesPending === true) return this.view(resource);
    const clean = this.redactor.attributes(resource.attributes) === resource.attributes;
    const view = clean ? resource : new RedactedResource(resource, this.redactor);
    this.views.set(resource, view);
    return view;
  }

  private view(resource: Resource): Resource {
    const view = new RedactedResource(resource, this.redactor);
    this.views.set(resource, view);
    // once settled, a clean resource is handed on as it is again
    void resource
      .waitForAsyncAttributes?.()
      .then(() => {
        if (this.redactor.attributes(resource.attributes) === resource.attributes) {
          this.views.set(resource, resource);
        }
      })
      .catch(() => undefined); // the view stays: it is always safe
    return view;
  }
}

function redactEvent(event: TimedEvent, redactor: Redactor, budget: ScanBudget): TimedEvent {
  const name = redactor.string(event.name);
  const attributes =
    event.attributes === undefined ? undefined : redactor.attributes(event.attributes, budget);
  if (name === event.name && attributes === event.attributes) return event;
  return { ...event, name, ...(attributes !== undefined ? { attributes } : {}) };
}

function redactLink(link: Link, redactor: Redactor, budget: ScanBudget): Link {
  if (link.attributes === undefined) return link;
  const attributes = redactor.attributes(link.attributes, budget);
  return attributes === link.attributes ? link : { ...link, attributes };
}

// Span names are few by design (`GET /users/:id`): each is masked once, up to this many names
// of up to this length.
const NAME_LIMIT = 1024;
const NAME_LENGTH = 256;

/** Masked span names, remembered. */
class SpanNames {
  private readonly known = new Map<string, string>();

  constructor(private readonly redactor: Redactor) {}

  of(name: string): string {
    if (name.length > NAME_LENGTH) return this.redactor.string(name);
    const known = this.known.get(name);
    if (known !== undefined) return known;
    const masked = this.redactor.string(name);
    if (this.known.size >= NAME_LIMIT) this.known.clear();
    this.known.set(name, masked);
    return masked;
  }
}

/** The ended span with its text redacted: a view when something was masked, else the span itself. */
function redactedSpan(
  span: ReadableSpan,
  redactor: Redactor,
  resources: ResourceViews,
  names: SpanNames,
): ReadableSpan {
  const name = names.of(span.name);
  // one budget for all the attribute sets: a span's own attributes first, then events and links
  const budget = redactor.spanBudget();
  const attributes = redactor.attributes(span.attributes, budget);
  // most spans have neither events nor links: no closures for them
  const events =
    span.events.length === 0
      ? span.events
      : mapSame(span.events, (event) => redactEvent(event, redactor, budget));
  const links =
    span.links.length === 0
      ? span.links
      : mapSame(span.links, (link) => redactLink(link, redactor, budget));
  const message = span.status.message;
  const maskedMessage = message === undefined ? undefined : redactor.string(message);
  const resource = resources.of(span.resource);
  if (
    name === span.name &&
    attributes === span.attributes &&
    events === span.events &&
    links === span.links &&
    maskedMessage === message &&
    resource === span.resource
  ) {
    return span;
  }
  return {
    name,
    kind: span.kind,
    spanContext: () => span.spanContext(),
    ...(span.parentSpanContext !== undefined ? { parentSpanContext: span.parentSpanContext } : {}),
    startTime: span.startTime,
    endTime: span.endTime,
    status:
      maskedMessage === undefined || maskedMessage === message
        ? span.status
        : { ...span.status, message: maskedMessage },
    attributes,
    links,
    events,
    duration: span.duration,
    ended: span.ended,
    resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

/**
 * A span processor that hands `next` a redacted copy of every ended span; the live span is never
 * changed. For your own SDK setup; `TracingService` installs one unless `redact: false`.
 *
 * @example
 * new RedactingSpanProcessor(new BatchSpanProcessor({ exporter }), new Redactor());
 */
export class RedactingSpanProcessor implements SpanProcessor {
  private readonly resources: ResourceViews;
  private readonly names: SpanNames;

  constructor(
    private readonly next: SpanProcessor,
    private readonly redactor: Redactor,
  ) {
    this.resources = new ResourceViews(redactor);
    this.names = new SpanNames(redactor);
  }

  onStart(span: Span, parentContext: Context): void {
    this.next.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    let view: ReadableSpan;
    try {
      view = redactedSpan(span, this.redactor, this.resources, this.names);
    } catch {
      return; // a span we cannot redact is not exported
    }
    this.next.onEnd(view);
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}
