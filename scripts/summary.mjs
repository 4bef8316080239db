#!/usr/bin/env node
// Adds up every vitest JSON report in .test-results and prints `N passed, N failed`.
import { readResults, totalLine, totals } from './test-results.mjs';

const rows = readResults();
for (const row of rows) {
  console.log(`${row.label}: ${totalLine(row)}`);
  for (const file of row.failedFiles) console.log(`  failed without a failing test: ${file}`);
}
const sum = totals(rows);
console.log(totalLine(sum));
process.exit(sum.failed > 0 ? 1 : 0);
