// Redaction: masks secrets and personal data in span attributes, events and status before export.
import type { AttributeValue, Attributes, Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace';
import type { RedactOptions } from './types.js';

const DEFAULT_REPLACEMENT = '[REDACTED]';

// Keys whose last segment names a secret: `http.request.header.authorization`, `user.password`,
// `http.request.header.x-api-key`. Whole segments only, so `gen_ai.usage.input_tokens` stays.
const DEFAULT_KEY_SEGMENTS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'password',
  'passwd',
  'pwd',
  'secret',
  'client_secret',
  'client-secret',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'auth_token',
  'api_key',
  'api-key',
  'apikey',
  'x-api-key',
  'private_key',
  'session_id',
  'sessionid',
  'credentials',
  'email',
];

// Query parameters whose value is a secret (`?token=…&api_key=…`, or `url.query` without `?`).
const QUERY_SECRET =
  /((?:^|[?&;])(?:access_token|refresh_token|id_token|token|api_key|apikey|key|password|passwd|pwd|secret|client_secret|sig|signature|x-amz-signature|x-goog-signature|awsaccesskeyid|code|auth|session|sessionid)=)[^&#\s]*/gi;
// user:password@ in URLs.
const URL_CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:[^/\s@]+@/gi;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

/**
 * Masks secrets and personal data in attribute values; `TracingService` uses one by default.
 *
 * @example
 * new Redactor({ keys: ['ssn'] }).attributes({ 'person.ssn': '078-05-1120' }); // { 'person.ssn': '[REDACTED]' }
 */
export class Redactor {
  private readonly segments: Set<string>;
  private readonly keyPatterns: RegExp[];
  private readonly patterns: RegExp[];
  private readonly replacement: string;

  constructor(options: RedactOptions = {}) {
    this.replacement = options.replacement ?? DEFAULT_REPLACEMENT;
    this.segments = new Set(DEFAULT_KEY_SEGMENTS);
    this.keyPatterns = [];
    for (const key of options.keys ?? []) {
      if (typeof key === 'string') this.segments.add(key.toLowerCase());
      else this.keyPatterns.push(key);
    }
    this.patterns = (options.patterns ?? []).map((p) =>
      p.global ? p : new RegExp(p.source, `${p.flags}g`),
    );
  }

  /** Whether the whole value of `key` is a secret. */
  isSecretKey(key: string): boolean {
    const lower = key.toLowerCase();
    const last = lower.slice(lower.lastIndexOf('.') + 1);
    if (this.segments.has(last) || this.segments.has(lower)) return true;
    return this.keyPatterns.some((p) => {
      p.lastIndex = 0;
      return p.test(key);
    });
  }

  /** `text` with secrets inside it masked. */
  string(text: string): string {
    const r = this.replacement;
    let out = text
      .replace(URL_CREDENTIALS, `$1${r}@`)
      .replace(QUERY_SECRET, `$1${r}`)
      .replace(BEARER, `$1 ${r}`)
      .replace(EMAIL, r);
    for (const pattern of this.patterns) out = out.replace(pattern, r);
    return out;
  }

  private value(key: string, value: AttributeValue | undefined): AttributeValue | undefined {
    if (value === undefined || value === null) return value;
    if (this.isSecretKey(key)) {
      return Array.isArray(value) ? value.map(() => this.replacement) : this.replacement;
    }
    if (typeof value === 'string') return this.string(value);
    if (Array.isArray(value)) {
      return (value as unknown[]).map((v) =>
        typeof v === 'string' ? this.string(v) : v,
      ) as AttributeValue;
    }
    return value;
  }

  /** A copy of `attributes` with secrets masked; the same object when nothing changed. */
  attributes(attributes: Attributes): Attributes {
    let out: Attributes | undefined;
    for (const [key, value] of Object.entries(attributes)) {
      const masked = this.value(key, value);
      if (masked === value) continue;
      out ??= { ...attributes };
      out[key] = masked;
    }
    return out ?? attributes;
  }
}

/** A view of an ended span with redacted attributes, events and status message. */
function redactedSpan(span: ReadableSpan, redactor: Redactor): ReadableSpan {
  const events = span.events.map((event): TimedEvent =>
    event.attributes === undefined
      ? event
      : { ...event, attributes: redactor.attributes(event.attributes) },
  );
  const message = span.status.message;
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => span.spanContext(),
    ...(span.parentSpanContext !== undefined ? { parentSpanContext: span.parentSpanContext } : {}),
    startTime: span.startTime,
    endTime: span.endTime,
    status:
      message === undefined ? span.status : { ...span.status, message: redactor.string(message) },
    attributes: redactor.attributes(span.attributes),
    links: span.links.map((link) =>
      link.attributes === undefined
        ? link
        : { ...link, attributes: redactor.attributes(link.attributes) },
    ),
    events,
    duration: span.duration,
    ended: span.ended,
    resource: span.resource,
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
  constructor(
    private readonly next: SpanProcessor,
    private readonly redactor: Redactor,
  ) {}

  onStart(span: Span, parentContext: Context): void {
    this.next.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    let view: ReadableSpan;
    try {
      view = redactedSpan(span, this.redactor);
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
