// Prometheus keeps at least the SLO period wherever it runs, so a 30-day error budget is computed
// over 30 days: docker-compose, the Kubernetes base and every overlay (rendered by kubectl).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { requireBinary } from '@ai-orchestrator/testkit';
import { durationSeconds } from '../lib/rules.js';
import { SPEC_FILE } from '../prometheus/slo/generate.js';
import { validateSpec } from '../prometheus/slo/spec.js';
import { find, kustomize } from './kube.js';
import { COMPOSE_FILE, K8S, read } from './paths.js';

const kubectl = requireBinary('kubectl');
const period = validateSpec(parse(read(SPEC_FILE))).budgetPeriod;

/** The value of `--storage.tsdb.retention.time`; Prometheus' default (15d) when it is not set. */
function retentionTime(args: readonly string[]): string {
  const flags = args.filter((a) => a.startsWith('--storage.tsdb.retention.time='));
  expect(flags.length, `one --storage.tsdb.retention.time in ${args.join(' ')}`).toBeLessThan(2);
  return flags[0]?.split('=')[1] ?? '15d';
}

describe('retention covers the SLO period', () => {
  it('is checked against the budget period of slo/spec.yaml', () => {
    expect(period).toBe('30d');
    expect(durationSeconds(retentionTime(['--storage.tsdb.retention.time=29d']))).toBeLessThan(
      durationSeconds(period),
    );
    expect(retentionTime([])).toBe('15d');
  });

  it('in docker-compose', () => {
    const compose = parse(read(COMPOSE_FILE)) as {
      services: { prometheus: { command: string[] } };
    };
    const time = retentionTime(compose.services.prometheus.command);
    expect(durationSeconds(time), time).toBeGreaterThanOrEqual(durationSeconds(period));
  });

  const overlays = readdirSync(join(K8S, 'overlays')).map((o) => `overlays/${o}`);
  it.skipIf(!kubectl).each(['base', ...overlays])('in Kubernetes %s', (dir) => {
    expect(overlays).toEqual(expect.arrayContaining(['overlays/dev', 'overlays/production']));
    const sts = find(kustomize(kubectl as string, dir), 'StatefulSet', 'prometheus');
    const containers = (
      sts.spec as { template: { spec: { containers: { name: string; args?: string[] }[] } } }
    ).template.spec.containers;
    const prometheus = containers.find((c) => c.name === 'prometheus');
    const time = retentionTime(prometheus?.args ?? []);
    expect(durationSeconds(time), `${dir}: ${time}`).toBeGreaterThanOrEqual(
      durationSeconds(period),
    );
  });
});
