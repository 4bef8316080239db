#!/usr/bin/env node
// Runs the vitest suites and ends with one line: `N passed, N failed` (and skipped, when any).
//   node scripts/test.mjs                      every suite, on this Node
//   node scripts/test.mjs --project unit --node /path/to/node --label node24 --keep
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RESULTS_DIR, readResults, totalLine, totals } from './test-results.mjs';

const { values } = parseArgs({
  options: {
    project: { type: 'string', multiple: true },
    node: { type: 'string', default: process.execPath },
    label: { type: 'string', default: `node${process.versions.node.split('.')[0]}` },
    keep: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
  },
});

// The end-to-end suites run the built packages and apps; turbo makes this a no-op when built.
if (!values['no-build']) {
  const build = spawnSync('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only'], {
    stdio: 'inherit',
  });
  if (build.status !== 0) {
    console.log('\n0 passed, 1 failed (the build failed)');
    process.exit(1);
  }
}

const resultsDir = RESULTS_DIR;
if (!values.keep) rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });
const outputFile = join(resultsDir, `${values.label}.json`);

const args = [
  'node_modules/vitest/vitest.mjs',
  'run',
  ...(values.project ?? []).flatMap((p) => ['--project', p]),
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${outputFile}`,
];
const version = spawnSync(values.node, ['--version'], { encoding: 'utf8' }).stdout.trim();
console.log(`\n# ${values.label}: vitest on Node ${version}\n`);
const run = spawnSync(values.node, args, { stdio: 'inherit', env: process.env });

const rows = readResults(resultsDir);
for (const row of rows) {
  for (const file of row.failedFiles)
    console.log(`${row.label}: failed without a failing test: ${file}`);
}
const sum = totals(rows);
// vitest failed in a way no report shows (it crashed, or wrote no report).
if (run.status !== 0 && sum.failed === 0) sum.failed = 1;
console.log(`\n${totalLine(sum)}`);
process.exit(sum.failed > 0 ? 1 : 0);
