// The root entry is the user's API; what the sibling packages build on is on `./adapter`, and
// the part that needs no prom-client on `./shared`.
import { describe, expect, it } from 'vitest';
import * as adapter from './adapter.js';
import * as root from './index.js';
import * as shared from './shared.js';

describe('entry points', () => {
  it('keeps plumbing off the root entry', () => {
    const plumbing = Object.keys(adapter);
    expect(plumbing).toEqual(
      expect.arrayContaining([
        'resolveAdapterOptions',
        'metricsHandlerFor',
        'instrumentRequest',
        'timedBy',
        'urlPath',
        'ensureCounter',
        'LabelLimiter',
        'render',
        'invalid',
        'requireName',
        'Warnings',
        'defaultServiceName',
        'EXPRESS_MIDDLEWARE_NAME',
      ]),
    );
    for (const name of plumbing) expect(root, name).not.toHaveProperty(name);
  });

  it('serves the user API from the root, old handler name included', () => {
    for (const name of [
      'createMetrics',
      'createNodeMetricsHandler',
      'createMetricsHandler',
      'startMetricsServer',
      'MetricsService',
      'METRICS',
      'CONTRACT',
    ]) {
      expect(root, name).toHaveProperty(name);
    }
  });

  it('offers everything of ./shared on ./adapter too, as the same objects', () => {
    for (const [name, value] of Object.entries(shared))
      expect(adapter, name).toHaveProperty(name, value);
  });
});
