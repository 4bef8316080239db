// The `N passed, N failed` line CI ends with: a test file that failed without a failing test (a
// beforeAll hook threw, so its tests were skipped) must count as a failure, not vanish.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { countReport, readResults, totalLine, totals } from './test-results.mjs';

const dirs = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const file = (name, status, tests) => ({
  name,
  status,
  assertionResults: tests.map((s) => ({ status: s })),
});

describe('countReport', () => {
  it('counts a file whose hook failed (its tests skipped) as one failure', () => {
    const report = {
      numPassedTests: 2,
      numFailedTests: 0,
      numPendingTests: 8,
      testResults: [
        file('/a/ok.test.ts', 'passed', ['passed', 'passed']),
        file('/a/redis-cluster.test.ts', 'failed', Array(8).fill('skipped')),
      ],
    };
    expect(countReport(report)).toEqual({
      passed: 2,
      failed: 1,
      skipped: 8,
      failedFiles: ['/a/redis-cluster.test.ts'],
    });
  });

  it('counts a file that did not load as one failure, and failing tests once each', () => {
    const report = {
      numPassedTests: 1,
      numFailedTests: 2,
      testResults: [
        file('/a/broken.test.ts', 'failed', []),
        file('/a/two.test.ts', 'failed', ['failed', 'failed', 'passed']),
      ],
    };
    expect(countReport(report)).toMatchObject({ failed: 3, failedFiles: ['/a/broken.test.ts'] });
  });
});

describe('readResults', () => {
  it('adds up every report, and an unreadable one is a failure naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'results-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'node20.json'), JSON.stringify({ numPassedTests: 5, testResults: [] }));
    writeFileSync(join(dir, 'node24.json'), '{ truncated');
    const rows = readResults(dir);
    expect(rows.map((row) => [row.label, row.passed, row.failed])).toEqual([
      ['node20', 5, 0],
      ['node24', 0, 1],
    ]);
    expect(rows[1].failedFiles[0]).toContain(`could not read ${join(dir, 'node24.json')}`);
    expect(totalLine(totals(rows))).toBe('5 passed, 1 failed');
    expect(totalLine({ passed: 1, failed: 0, skipped: 2 })).toBe('1 passed, 0 failed, 2 skipped');
  });
});
