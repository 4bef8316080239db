// The same README example as CommonJS: static imports become require() calls (with the
// interop TypeScript and Babel use for default imports), and the body runs in an async
// function because CommonJS has no top-level await.
const IMPORT = /^import\s+(?:([^'";]*?)\s+from\s+)?['"]([^'"]+)['"];?[ \t]*$/gm;

const INTEROP = "const __default = (m) => (m && m.__esModule && 'default' in m ? m.default : m);";

/**
 * Converts an ES module example into an equivalent CommonJS script.
 * @example
 * toCommonJs("import express from 'express';\nexpress();");
 * // "const express = __default(require('express'));" inside an async IIFE
 */
export function toCommonJs(source: string): string {
  const body = source.replace(IMPORT, (_line, clause: string | undefined, from: string) =>
    requireFor(clause, from),
  );
  if (/^\s*(import|export)\b/m.test(body) || body.includes('import.meta')) {
    throw new TypeError(
      `toCommonJs: source still has ESM syntax after converting its imports; only static imports are supported, got:\n${body}`,
    );
  }
  return [
    "'use strict';",
    INTEROP,
    '(async () => {',
    body.trimEnd(),
    '})().catch((error) => {',
    '  console.error(error);',
    '  process.exitCode = 1;',
    '});',
    '',
  ].join('\n');
}

function requireFor(clause: string | undefined, from: string): string {
  const mod = `require('${from}')`;
  if (!clause) return `${mod};`;
  const namespace = /^\*\s+as\s+(\w+)$/.exec(clause);
  if (namespace) return `const ${namespace[1]} = ${mod};`;
  const match = /^(\w+)?\s*,?\s*(?:\{([\s\S]*)\})?$/.exec(clause.trim());
  if (!match || (!match[1] && match[2] === undefined)) {
    throw new TypeError(`toCommonJs: unsupported import clause "${clause}" from '${from}'`);
  }
  const lines: string[] = [];
  if (match[1]) lines.push(`const ${match[1]} = __default(${mod});`);
  if (match[2] !== undefined) {
    const names = match[2]
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean)
      .map((name) => name.replace(/^(\w+)\s+as\s+(\w+)$/, '$1: $2'));
    lines.push(`const { ${names.join(', ')} } = ${mod};`);
  }
  return lines.join('\n');
}
