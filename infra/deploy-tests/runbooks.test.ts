// Every runbook as the on-call engineer would type it: each command (```sh blocks and inline code)
// names only namespaces, objects, pods, claims, containers, ports, paths, selectors, Secrets,
// flags, compose services and volumes that the rendered overlays, the compose file and the
// binaries really have, and its queries only jobs Prometheus really scrapes.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireBinary } from '@ai-orchestrator/testkit';
import { INFRA, read } from './paths.js';
import { checkRunbook, runbookStack, type RunbookStack } from './runbook-commands.js';
import { commandLines } from './runbook-shell.js';
import { helpHasFlag } from './runbook-stack.js';

const kubectl = requireBinary('kubectl');
const prometheus = requireBinary('prometheus');
const promtool = requireBinary('promtool');
const amtool = requireBinary('amtool');
const RUNBOOKS = join(INFRA, 'runbooks');
const files = readdirSync(RUNBOOKS).filter((f) => f.endsWith('.md'));
const sh = (line: string): string => `\`\`\`sh\n${line}\n\`\`\`\n`;

describe('kingpin help, as Prometheus 3 and amtool 0.35 print it', () => {
  const help = [
    '      --[no-]web.enable-admin-api  ',
    '      --web.listen-address=0.0.0.0:9090 ...',
    '  -o, --output=simple            Output formatter',
  ].join('\n');
  it.each([
    ['--web.enable-admin-api', true],
    ['--no-web.enable-admin-api', true],
    ['--web.enable-admin', false],
    ['--web.listen-address', true],
    ['--no-web.listen-address', false],
    ['-o', true],
    ['--output', true],
  ])('%s is listed: %s', (flag, listed) => {
    expect(helpHasFlag(help, flag)).toBe(listed);
  });
});

describe.skipIf(!kubectl || !prometheus || !promtool || !amtool)('runbook commands', () => {
  const stack: RunbookStack = runbookStack(kubectl as string, {
    prometheus: prometheus as string,
    promtool: promtool as string,
    amtool: amtool as string,
  });

  it('knows the real job names: prometheus-headless and alertmanager-cluster on Kubernetes', () => {
    expect([...stack.jobs.kubernetes]).toEqual(
      expect.arrayContaining([
        'alertmanager-cluster',
        'kubelet',
        'node-exporter',
        'prometheus-headless',
      ]),
    );
    expect(stack.jobs.kubernetes.has('prometheus')).toBe(false);
    expect(stack.jobs.compose).toEqual(
      new Set(['demo-services', 'node-exporter', 'prometheus', 'alertmanager']),
    );
  });

  it.each(files)('%s names only what the stack has', (file) => {
    expect(checkRunbook(read(join(RUNBOOKS, file)), stack)).toEqual([]);
  });

  it('checks inline commands too, and every runbook with commands has them checked', () => {
    expect(commandLines('Run `kubectl -n monitoring get pvc`, then `top`.')).toEqual([
      'kubectl -n monitoring get pvc',
    ]);
    const checked = files.filter((f) => commandLines(read(join(RUNBOOKS, f))).length > 0);
    expect(checked.length).toBeGreaterThan(files.length / 2);
  });

  it.each([
    [
      'a job nobody scrapes',
      'Query `up{job=~"prometheus|alertmanager"}`.',
      'job=~"prometheus|alertmanager" matches no Kubernetes job',
    ],
    [
      'a selector of a label no pod has',
      '`kubectl -n <namespace> get pods -l app=<service>`',
      '-l app=<service> selects nothing in <namespace>',
    ],
    [
      'an object not rendered',
      '`kubectl -n monitoring logs statefulset/prometheus-server`',
      'no statefulset/prometheus-server in monitoring',
    ],
    [
      'a selector in the wrong namespace',
      '`kubectl -n monitoring get pods -l app.kubernetes.io/name=node-exporter`',
      '-l app.kubernetes.io/name=node-exporter selects nothing in monitoring',
    ],
    [
      'a command in prose',
      'Then run kubectl -n monitoring get pods and wait.',
      'a command outside code',
    ],
    ['no namespace', '`kubectl top pods`', 'names no namespace (-n)'],
    [
      'a container that does not exist',
      sh('kubectl -n monitoring exec pod/prometheus-0 -c prom -- rm -rf /prometheus/x'),
      'pod/prometheus-0: no container prom',
    ],
    [
      'a pod past the replicas of every overlay',
      sh('kubectl -n monitoring delete pod/prometheus-7'),
      'no pod prometheus-7 in monitoring',
    ],
    [
      'a bare pod past the replicas',
      '`kubectl -n monitoring logs alertmanager-7`',
      'no alertmanager-7 in monitoring',
    ],
    [
      'a claim that does not exist',
      sh('kubectl -n monitoring delete pvc/prometheus-data-0'),
      'no claim prometheus-data-0 in monitoring',
    ],
    [
      'a port no container has',
      sh('kubectl -n monitoring port-forward pod/prometheus-0 9091:9091'),
      'pod/prometheus-0: no container port 9091',
    ],
    [
      'a port the Service lacks',
      '`kubectl -n monitoring port-forward svc/alertmanager 9090`',
      'svc/alertmanager: no Service port 9090',
    ],
    [
      'a path on no volume',
      sh('kubectl -n monitoring exec pod/prometheus-0 -c prometheus -- tar -C /data -cf - .'),
      'pod/prometheus-0 prometheus: /data is on no volume of the container',
    ],
    [
      'a namespace not rendered',
      sh('kubectl -n observability get statefulset/prometheus'),
      'namespace observability is not rendered',
    ],
    [
      'a flag Prometheus lacks',
      sh(
        `kubectl -n monitoring patch statefulset/prometheus --type json -p '[{"op": "add", "path": "/spec/template/spec/containers/0/args/-", "value": "--web.enable-admin"}]'`,
      ),
      'statefulset/prometheus: prometheus has no flag --web.enable-admin',
    ],
    [
      'an amtool flag that does not exist',
      sh('amtool --alertmanager.url=http://localhost:9093 silence query --format json'),
      'amtool silence query: no flag --format',
    ],
    [
      'an amtool command that does not exist',
      '`amtool silences list`',
      'amtool silences list: no such command',
    ],
    [
      'a promtool file not in the repo',
      '`promtool check config infra/prometheus/prom.yml`',
      'infra/prometheus/prom.yml: no such file in the repo',
    ],
    [
      'a compose volume mounted elsewhere',
      sh(
        'docker run --rm -v ai-orchestrator-monitoring_prometheus-data:/data busybox:1.36.1 tar -C /data -cf /data/x .',
      ),
      'volume ai-orchestrator-monitoring_prometheus-data is not mounted at /data in compose',
    ],
    [
      'a compose service that does not exist',
      '`docker compose -f infra/compose/docker-compose.monitoring.yml logs thanos`',
      'compose has no service thanos',
    ],
    [
      'a Secret no manifest reads',
      sh('kubectl -n monitoring create secret generic slack --from-literal=url=x'),
      'secret slack: no manifest reads it',
    ],
    [
      'a port nothing forwards',
      sh('curl -s http://localhost:9999/api/v1/status/config'),
      'http://localhost:9999/api/v1/status/config: nothing forwards or publishes 9999',
    ],
    ['a program no check knows', sh('jq .data silences.json'), 'jq: not checked'],
  ])('fails %s', (_what, markdown, problem) => {
    const problems = checkRunbook(markdown, stack).map((p) => p.split('\n  -> ').at(-1));
    expect(problems).toEqual([expect.stringContaining(problem)]);
  });
});
