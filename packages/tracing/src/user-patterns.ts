// Patterns a user adds (redaction, sampling rules, ignored paths) run on RE2 (the pure-JS re2js
// port), not on V8's backtracking engine: their shape is unknown, so only an automaton-based engine
// can promise linear time. Route templates compile to RE2 too: they are matched on request paths.
import { RE2JS } from 're2js';
import { invalid } from './invalid.js';

/**
 * `pattern` compiled for RE2, or a TypeError naming `field` when RE2 cannot run it in linear time
 * (lookahead, backreferences).
 */
export function compileUserPattern(pattern: RegExp, field: string): RE2JS {
  try {
    return RE2JS.compile(RE2JS.translateRegExp(pattern), RE2JS.LOOKBEHINDS);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw invalid(
      field,
      pattern,
      `a RegExp that runs in linear time (no lookahead or backreference; RE2 says: ${why})`,
    );
  }
}

/**
 * Request text (a path, a span name) longer than this matches no sampling rule or ignored-path
 * pattern: Node takes request lines up to 16 KB, and no route of an app is that long.
 */
export const MAX_MATCHED_LENGTH = 8192;

/** Whether `pattern` matches in `text`; text longer than {@link MAX_MATCHED_LENGTH} never does. */
export function testUserPattern(pattern: RE2JS, text: string): boolean {
  return text.length <= MAX_MATCHED_LENGTH && pattern.test(text);
}

/**
 * A route template as RE2 over a whole request path (a trailing slash allowed): `:name` stands
 * for one or more characters other than `/`, `*` for any characters, the rest is literal.
 *
 * @example
 * testUserPattern(compileRouteTemplate('/files/:name.:ext'), '/files/a.txt'); // true
 */
export function compileRouteTemplate(template: string): RE2JS {
  const source = template
    .split(/(:[A-Za-z0-9_]+|\*)/)
    .map((part, i) => {
      // odd parts are the captured placeholders
      if (i % 2 === 0) return RE2JS.quote(part);
      return part === '*' ? '.*' : '[^/]+';
    })
    .join('');
  return RE2JS.compile(`^${source}/?$`);
}

/** `text` with every match of `pattern` replaced by `replacement`. */
export function replaceUserPattern(text: string, pattern: RE2JS, replacement: string): string {
  // the DFA test is much cheaper than a matcher, and most values do not match
  if (!pattern.test(text)) return text;
  return pattern.matcher(text).replaceAll(() => replacement);
}
