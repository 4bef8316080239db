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
// Linear-time checks for what URL_CREDENTIALS and EMAIL need around their '@': those two
// backtrack over long runs of name characters, so values that cannot match skip them.
const MAY_HAVE_CREDENTIALS = /:\/\/[^/\s:@]+:[^/\s@]+@/;
const MAY_HAVE_EMAIL = /[A-Za-z0-9._%+-]@[A-Za-z0-9-]/;

// Past this many distinct attribute keys, isSecretKey stops remembering its answers.
const KEY_CACHE_LIMIT = 4096;

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
  // Attribute keys repeat on every span: each is judged once.
  private readonly secretKeys = new Map<string, boolean>();

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
    const known = this.secretKeys.get(key);
    if (known !== undefined) return known;
    const secret = this.judgeKey(key);
    if (this.secretKeys.size < KEY_CACHE_LIMIT) this.secretKeys.set(key, secret);
    return secret;
  }

  private judgeKey(key: string): boolean {
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
    // Each built-in pattern needs a character its match cannot do without: most values (methods,
    // paths, addresses) have none of them and skip the regexes.
    let out = text;
    if (out.includes('@') && MAY_HAVE_CREDENTIALS.test(out)) {
      out = out.replace(URL_CREDENTIALS, `$1${r}@`);
    }
    if (out.includes('=')) out = out.replace(QUERY_SECRET, `$1${r}`);
    if (out.includes('Bearer') || out.includes('Basic')) out = out.replace(BEARER, `$1 ${r}`);
    if (out.includes('@') && MAY_HAVE_EMAIL.test(out)) out = out.replace(EMAIL, r);
    for (const pattern of this.patterns) out = out.replace(pattern, r);
    return out;
  }

  private value(key: string, value: AttributeValue | undefined): AttributeValue | undefined {
    if (value === undefined || value === null) return value;
    if (this.isSecretKey(key)) {
      return Array.isArray(value) ? value.map(() => this.replacement) : this.replacement;
    }
    if (typeof value === 'string') return this.string(value);
    if (Array.isArray(value)) return this.array(value as unknown[]);
    return value;
  }

  /** The array with its strings masked; the same array when nothing changed. */
  private array(values: unknown[]): AttributeValue {
    let out: unknown[] | undefined;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v !== 'string') continue;
      const masked = this.string(v);
      if (masked === v) continue;
      out ??= [...values];
      out[i] = masked;
    }
    return (out ?? values) as AttributeValue;
  }

  /** A copy of `attributes` with secrets masked; the same object when nothing changed. */
  attributes(attributes: Attributes): Attributes {
    let out: Attributes | undefined;
    for (const key of Object.keys(attributes)) {
      const value = attributes[key];
      const masked = this.value(key, value);
      if (masked === value) continue;
      out ??= { ...attributes };
      out[key] = masked;
    }
    return out ?? attributes;
  }
}

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
 * The ended span with redacted attributes, events and status message: a view when something
 * was masked, the span itself when nothing was (most spans), so clean spans cost no copy.
 */
function redactedSpan(span: ReadableSpan, redactor: Redactor): ReadableSpan {
  const events = mapSame(span.events, (event): TimedEvent => {
    if (event.attributes === undefined) return event;
    const attributes = redactor.attributes(event.attributes);
    return attributes === event.attributes ? event : { ...event, attributes };
  });
  const links = mapSame(span.links, (link) => {
    if (link.attributes === undefined) return link;
    const attributes = redactor.attributes(link.attributes);
    return attributes === link.attributes ? link : { ...link, attributes };
  });
  const message = span.status.message;
  const maskedMessage = message === undefined ? undefined : redactor.string(message);
  const attributes = redactor.attributes(span.attributes);
  if (
    attributes === span.attributes &&
    events === span.events &&
    links === span.links &&
    maskedMessage === message
  ) {
    return span;
  }
  return {
    name: span.name,
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
