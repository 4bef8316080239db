// Setup inputs that end up in every export request: headers and URLs. Node's HTTP client refuses a
// header with CR/LF, so such a value would make every export fail as if the collector were down:
// it is rejected at setup instead, with the secret part of the value masked.
import { parseKeyPairsIntoRecord } from '@opentelemetry/core';
import { invalid, invalidSecret, show } from './invalid.js';

// RFC 9110 token: the characters a header name may have.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Index of the first character `ok` refuses, or -1. */
function firstBad(value: string, ok: (code: number) => boolean): number {
  for (let i = 0; i < value.length; i++) if (!ok(value.charCodeAt(i))) return i;
  return -1;
}

// What Node accepts in a header value: tab, visible ASCII, space and obs-text; no CR, LF or NUL.
const headerValueChar = (code: number): boolean =>
  code === 9 || (code >= 0x20 && code <= 0x7e) || (code >= 0x80 && code <= 0xff);
// No whitespace or control character, which `new URL()` would silently strip or reject.
const urlChar = (code: number): boolean => code > 0x20 && code !== 0x7f;

/** Throws unless `name: value` can be sent as an HTTP header. */
export function checkHeader(field: string, name: string, value: unknown): void {
  if (!HEADER_NAME.test(name)) {
    throw invalid(
      `${field} name`,
      name,
      "an HTTP header name (letters, digits and !#$%&'*+.^_`|~-)",
    );
  }
  if (typeof value !== 'string') throw invalid(`${field}.${name}`, value, 'a string');
  const bad = firstBad(value, headerValueChar);
  if (bad >= 0) {
    throw invalidSecret(
      `${field}.${name}`,
      value,
      'an HTTP header value without CR, LF or other control characters',
      bad,
    );
  }
}

/** Throws unless `headers` is an object of valid header names and values. */
export function checkHeaders(field: string, headers: unknown): void {
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
    throw invalid(field, headers, 'an object of strings');
  }
  for (const [name, value] of Object.entries(headers)) checkHeader(field, name, value);
}

/** `raw` with the user information and the query masked, for an error message. */
function showUrl(raw: string): string {
  let shown = raw;
  const scheme = shown.indexOf('://');
  const at = shown.indexOf('@', scheme + 3);
  const path = shown.slice(scheme + 3).search(/[/?#]/);
  if (scheme >= 0 && at >= 0 && (path < 0 || at < scheme + 3 + path)) {
    shown = `${shown.slice(0, scheme + 3)}…@${shown.slice(at + 1)}`;
  }
  const query = shown.indexOf('?');
  return JSON.stringify(query >= 0 ? `${shown.slice(0, query)}?…` : shown);
}

/**
 * Throws unless `value` (when given) is an http:// or https:// URL without blanks or control
 * characters inside it (around it they are ignored, as URL parsing does: a variable read from a
 * file often ends with a newline).
 */
export function checkUrl(field: string, value: unknown): void {
  if (value === undefined) return;
  const allowed = 'an http:// or https:// URL without spaces or control characters';
  if (typeof value !== 'string') throw invalid(field, value, allowed);
  const lead = value.length - value.trimStart().length;
  const inner = firstBad(value.trim(), urlChar);
  const bad = inner < 0 ? -1 : inner + lead;
  let ok = bad < 0;
  try {
    ok &&= /^https?:$/.test(new URL(value).protocol);
  } catch {
    ok = false;
  }
  if (ok) return;
  const where = bad < 0 ? '' : ` (${show(value.charAt(bad))} at index ${bad})`;
  throw new TypeError(`TracingService: ${field} must be ${allowed}, got ${showUrl(value)}${where}`);
}

/**
 * The headers of an `OTEL_EXPORTER_OTLP_*HEADERS` variable (`key=value,key2=value2`, values
 * percent-encoded), parsed the way the OTLP exporter parses them; throws naming the variable when
 * an entry would be dropped or could not be sent.
 */
export function headersFromEnv(variable: string, raw: string | undefined): Record<string, string> {
  if (raw === undefined || raw.trim() === '') return {};
  raw.split(',').forEach((entry, i) => {
    if (entry.trim() === '') return;
    const record = parseKeyPairsIntoRecord(entry);
    if (Object.keys(record).length === 0 || entry.includes(';')) {
      throw invalidSecret(
        `${variable} entry ${i}`,
        entry,
        'key=value with a non-empty key and value (percent-encode ";" and "," in values)',
      );
    }
  });
  const headers = parseKeyPairsIntoRecord(raw);
  checkHeaders(variable, headers);
  return headers;
}
