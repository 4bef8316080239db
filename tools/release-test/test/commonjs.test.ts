import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@ai-orchestrator/testkit';
import { describe, expect, it } from 'vitest';
import { toCommonJs } from '../src/commonjs.js';

describe('toCommonJs', () => {
  it('turns every static import form into require() and keeps top-level await working', () => {
    const source = [
      "import 'node:process';",
      "import assert from 'node:assert';",
      "import * as path from 'node:path';",
      "import { setTimeout as sleep } from 'node:timers/promises';",
      'import {',
      '  EventEmitter,',
      '  once,',
      "} from 'node:events';",
      '',
      'const emitter = new EventEmitter();',
      "setImmediate(() => emitter.emit('ready', path.basename('/a/b.txt')));",
      "const [name] = await once(emitter, 'ready');",
      'await sleep(1);',
      "assert.equal(name, 'b.txt');",
      'console.log(`ok ${name}`);',
    ].join('\n');
    const dir = tempDir('cjs');
    try {
      writeFileSync(join(dir.path, 'example.cjs'), toCommonJs(source));
      const out = execFileSync(process.execPath, ['example.cjs'], {
        cwd: dir.path,
        encoding: 'utf8',
      });
      expect(out).toBe('ok b.txt\n');
    } finally {
      dir.remove();
    }
  });

  it('uses the default export of a transpiled ES module and the module itself otherwise', () => {
    const cjs = toCommonJs(
      "import Fastify from 'fastify';\nimport plugin, { named } from './p.js';",
    );
    expect(cjs).toContain("const Fastify = __default(require('fastify'));");
    expect(cjs).toContain("const plugin = __default(require('./p.js'));");
    expect(cjs).toContain("const { named } = require('./p.js');");
    const __default = new Function(`${cjs.split('\n')[1]!} return __default;`)() as (
      m: unknown,
    ) => unknown;
    const fn = (): void => undefined;
    expect(__default({ __esModule: true, default: fn })).toBe(fn);
    expect(__default(fn)).toBe(fn);
  });

  it('rejects what it cannot convert, naming the leftover syntax', () => {
    expect(() => toCommonJs("export const a = 1;\nimport x from 'x';")).toThrow(TypeError);
    expect(() => toCommonJs('console.log(import.meta.url);')).toThrow(/import\.meta/);
  });
});
