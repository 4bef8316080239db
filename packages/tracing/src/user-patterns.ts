// Patterns a user adds to redaction run on RE2 (the pure-JS re2js port), not on V8's backtracking
// engine: their shape is unknown, so only an automaton-based engine can promise linear time.
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

/** `text` with every match of `pattern` replaced by `replacement`. */
export function replaceUserPattern(text: string, pattern: RE2JS, replacement: string): string {
  // the DFA test is much cheaper than a matcher, and most values do not match
  if (!pattern.test(text)) return text;
  return pattern.matcher(text).replaceAll(() => replacement);
}
