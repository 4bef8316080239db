// One set of server versions everywhere: tools/testkit/src/servers.json pins Prometheus,
// Alertmanager, Jaeger and VictoriaMetrics; `pnpm servers` builds exactly those for the tests, and
// compose and Kubernetes must run the same images (VictoriaMetrics: the single-node release the
// tests run, as vminsert/vmselect/vmstorage `-cluster` images in production). A bump in one place
// and not the others fails.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  builtBinary,
  requireBinary,
  SERVERS,
  startPrometheus,
  type ServerName,
} from '@ai-orchestrator/testkit';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse } from 'yaml';
import { COMPOSE_FILE, INFRA, K8S, REPO, read } from './paths.js';

const NAMES = Object.keys(SERVERS) as ServerName[];
const repoOf = (image: string): string => image.replace(/:[^/:]+$/, '');
/** The production overlay's VictoriaMetrics cluster: one image per component, same release. */
const VM_CLUSTER_IMAGES = ['vminsert', 'vmselect', 'vmstorage'].map(
  (component) => `victoriametrics/${component}:v${SERVERS['victoria-metrics'].release}-cluster`,
);
/** Image repository -> the one image of it that may run. */
const PINNED = new Map(
  [...NAMES.map((name) => SERVERS[name].image), ...VM_CLUSTER_IMAGES].map((image) => [
    repoOf(image),
    image,
  ]),
);

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

/** Every `image:` value in a YAML file (all documents, any depth), with where it is. */
function images(file: string): { where: string; image: string }[] {
  const found: { where: string; image: string }[] = [];
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) node.forEach((item, i) => walk(item, `${path}[${i}]`));
    else if (typeof node === 'object' && node !== null) {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'image' && typeof value === 'string')
          found.push({ where: `${relative(REPO, file)} ${path}`, image: value });
        else walk(value, `${path}.${key}`);
      }
    }
  };
  parseAllDocuments(read(file)).forEach((doc, i) => walk(doc.toJS(), `#${i}`));
  return found;
}

const DEPLOYED = [COMPOSE_FILE, ...yamlFiles(K8S)].flatMap(images);

describe('one set of server versions (tools/testkit/src/servers.json)', () => {
  it('compose and every Kubernetes manifest run the pinned image of each server', () => {
    const drift = DEPLOYED.filter(({ image }) => {
      const pinned = PINNED.get(repoOf(image));
      return pinned !== undefined && image !== pinned;
    }).map(({ where, image }) => `${where}: ${image}`);
    expect(drift).toEqual([]);
    for (const image of VM_CLUSTER_IMAGES) {
      const where = DEPLOYED.filter((d) => d.image === image).map((d) => d.where);
      expect(
        where.some((w) => w.startsWith('infra/k8s/overlays/production/')),
        `${image} in the production overlay`,
      ).toBe(true);
    }
    for (const name of ['prometheus', 'alertmanager', 'jaeger'] as const) {
      const where = DEPLOYED.filter((d) => d.image === SERVERS[name].image).map((d) => d.where);
      expect(
        where.some((w) => w.startsWith('infra/compose/')),
        `${name} in compose`,
      ).toBe(true);
      expect(
        where.some((w) => w.startsWith('infra/k8s/')),
        `${name} in k8s`,
      ).toBe(true);
    }
  });

  it('the deployment READMEs name the pinned images', () => {
    const drift: string[] = [];
    for (const file of ['compose/README.md', 'k8s/README.md']) {
      const text = read(join(INFRA, file));
      for (const [repo, image] of PINNED) {
        for (const m of text.matchAll(new RegExp(`${repo.replace('/', '\\/')}:[\\w.-]+`, 'g')))
          if (m[0] !== image) drift.push(`infra/${file}: ${m[0]}`);
      }
    }
    expect(drift).toEqual([]);
  });

  it('the Go-built binaries report the pinned release', () => {
    const ARGS: Record<string, string[]> = {
      jaeger: ['version'],
      'victoria-metrics': ['-version'],
    };
    const checked: string[] = [];
    for (const name of NAMES) {
      for (const binary of Object.keys(SERVERS[name].binaries)) {
        const path = builtBinary(binary);
        if (!path) {
          requireBinary(binary); // not built: fails under CI, says why elsewhere
          continue;
        }
        const run = spawnSync(path, ARGS[binary] ?? ['--version'], { encoding: 'utf8' });
        expect(`${run.stdout}${run.stderr}`, binary).toContain(SERVERS[name].release);
        checked.push(binary);
      }
    }
    if (process.env.CI === 'true') expect(checked.length).toBe(6);
  });
});

/** `--enable-feature` values the shipped compose file and manifests pass to Prometheus. */
function prometheusFeatures(): string[] {
  const compose = parse(read(COMPOSE_FILE)) as {
    services: { prometheus: { command: string[] } };
  };
  const k8s = yamlFiles(K8S)
    .flatMap((f) => parseAllDocuments(read(f)).map((d) => d.toJS() as unknown))
    .flatMap((o) => JSON.stringify(o ?? null).match(/--enable-feature=[\w,-]+/g) ?? []);
  return [...compose.services.prometheus.command, ...k8s]
    .filter((arg) => arg.startsWith('--enable-feature='))
    .flatMap((arg) => arg.slice('--enable-feature='.length).split(','));
}

// Debian's 2.42 knows other flags; this checks the pinned version only.
const prometheus = builtBinary('prometheus') ?? (requireBinary('prometheus') && undefined);
describe.skipIf(!prometheus)('the pinned Prometheus', () => {
  it('accepts every feature flag compose and Kubernetes pass, none unknown or retired', async () => {
    const features = [...new Set(prometheusFeatures())];
    expect(features).toContain('exemplar-storage');
    const server = await startPrometheus(prometheus as string, 'scrape_configs: []\n', {}, [
      `--enable-feature=${features.join(',')}`,
    ]);
    const log = server.process.output();
    await server.stop();
    expect(log).not.toMatch(/Unknown option for --enable-feature|no-op|phased out|deprecated/);
  });
});
