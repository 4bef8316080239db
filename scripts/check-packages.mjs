#!/usr/bin/env node
// publint and @arethetypeswrong/cli on every published package (run after `pnpm build`).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const failures = [];
for (const dir of readdirSync('packages')) {
  const pkgFile = join('packages', dir, 'package.json');
  if (!existsSync(pkgFile)) continue;
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
  if (pkg.private) continue;
  const cwd = join('packages', dir);
  for (const [tool, args] of [
    ['publint', ['--strict']],
    // node10 resolution cannot see subpath exports; every supported Node has exports maps.
    ['attw', ['--pack', '.', '--profile', 'node16', '--format', 'table-flipped']],
  ]) {
    const run = spawnSync('pnpm', ['exec', tool, ...args], { cwd, encoding: 'utf8' });
    const ok = run.status === 0;
    console.log(`${ok ? '✓' : '✗'} ${tool} ${pkg.name}`);
    if (!ok) {
      console.log(run.stdout, run.stderr);
      failures.push(`${tool} ${pkg.name}`);
    }
  }
}
if (failures.length) {
  console.error(`\npackage checks failed: ${failures.join(', ')}`);
  process.exit(1);
}
