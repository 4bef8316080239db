// Deterministic JSON: keys sorted at every level, two-space indent, trailing newline, so a fresh
// generation is byte-for-byte comparable with the committed file.

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    // The SDK's builders carry marker functions; JSON has no place for them.
    if (typeof v === 'function' || v === undefined) continue;
    out[key] = sorted(v);
  }
  return out;
}

/**
 * `value` as stable, pretty-printed JSON text ending in a newline.
 *
 * @example
 * stableJson({ b: 1, a: [2] }); // '{\n  "a": [\n    2\n  ],\n  "b": 1\n}\n'
 */
export function stableJson(value: unknown): string {
  return `${JSON.stringify(sorted(value), null, 2)}\n`;
}
