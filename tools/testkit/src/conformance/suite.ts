// The behaviour every adapter must show, written once and run against each framework's driver.
import { afterEach, describe } from 'vitest';
import { expositionCases } from './cases/exposition.js';
import { lifecycleCases } from './cases/lifecycle.js';
import { mountCases } from './cases/mounts.js';
import { optionCases } from './cases/options.js';
import { cardinalityCase, recordingCases } from './cases/recording.js';
import { harness } from './harness.js';
import type { AdapterDriver } from './types.js';

/**
 * Registers the adapter conformance tests for one framework major: route templates and label
 * sets, `__unmatched__`, 500 on throw, 499 on abort and timeout with the active gauge back to 0,
 * body bytes (opt-in), 10,000 404s in one series, the in-app metrics path (formats, exemplars, 405 to
 * other methods, custom path, none, auth), the adapter mounted under a path (metricsPath, ignorePaths
 * and 405 relative to the mount, full route labels), `ignorePaths`, shared metrics, a failing
 * recorder and bad options.
 *
 * @example
 * conformanceSuite(expressDriver('Express 5', express));
 */
export function conformanceSuite<M extends object>(driver: AdapterDriver<M>): void {
  describe(`${driver.name}: adapter conformance`, () => {
    const h = harness(driver);
    afterEach(() => h.closeAll());
    describe('recording', () => {
      recordingCases(h);
      cardinalityCase(h);
    });
    describe('requests that never finish', () => lifecycleCases(h));
    describe('the in-app metrics path', () => expositionCases(h));
    describe('mounted under a path', () => mountCases(h));
    describe('options', () => optionCases(driver, h));
  });
}
