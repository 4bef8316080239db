// Reads the vitest JSON reports in `.test-results` and counts them one way for every script.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const RESULTS_DIR = '.test-results';

/**
 * Counts one vitest JSON report. A test file that failed without a failing test (it did not load,
 * or a beforeAll/afterAll hook threw and its tests were skipped) counts as one failure: vitest's
 * own `numFailedTests` leaves it out.
 */
export function countReport(report) {
  const files = report.testResults ?? [];
  const failedFiles = files.filter(
    (file) =>
      file.status === 'failed' &&
      !(file.assertionResults ?? []).some((test) => test.status === 'failed'),
  );
  return {
    passed: report.numPassedTests ?? 0,
    failed: (report.numFailedTests ?? 0) + failedFiles.length,
    skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
    failedFiles: failedFiles.map((file) => file.name),
  };
}

/** Every report in `dir`, by label (the file name); an unreadable report counts as one failure. */
export function readResults(dir = RESULTS_DIR) {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const label = file.replace(/\.json$/, '');
      try {
        return { label, ...countReport(JSON.parse(readFileSync(join(dir, file), 'utf8'))) };
      } catch (error) {
        const why = `could not read ${join(dir, file)}: ${error.message}`;
        return { label, passed: 0, failed: 1, skipped: 0, failedFiles: [why] };
      }
    });
}

/** The counts of `rows` added up. */
export function totals(rows) {
  const sum = (key) => rows.reduce((total, row) => total + row[key], 0);
  return { passed: sum('passed'), failed: sum('failed'), skipped: sum('skipped') };
}

/** `N passed, N failed` (and skipped, when any). */
export function totalLine({ passed, failed, skipped }) {
  return `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
}
