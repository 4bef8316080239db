#!/usr/bin/env node
// `pnpm servers`: builds the pinned Prometheus, Alertmanager, Jaeger and VictoriaMetrics from their
// Go modules (tools/testkit/src/servers.json) into a cache folder keyed by version, only when
// missing, and prints where they are. tools/testkit finds them there.
//   node scripts/servers.mjs                 every server
//   node scripts/servers.mjs jaeger          only the named ones
// Cache: $AIO_SERVERS_DIR, else ${XDG_CACHE_HOME:-~/.cache}/ai-orchestrator/servers (the same
// rule as tools/testkit/src/servers.ts).
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const CONFIG = JSON.parse(
  readFileSync(new URL('../tools/testkit/src/servers.json', import.meta.url), 'utf8'),
);
const ROOT =
  process.env.AIO_SERVERS_DIR ||
  join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ai-orchestrator', 'servers');
// Module builds, never a download of another Go; CGO off so no C compiler is needed.
const GO_ENV = { ...process.env, GOWORK: 'off', GOTOOLCHAIN: 'local', CGO_ENABLED: '0' };
const PLACEHOLDER = `<!doctype html>
<title>UI not built</title>
<p>This binary was built from its Go module by scripts/servers.mjs. The web UI is compiled with
npm in the project's own release build and is not part of the Go module, so it is absent here.
The HTTP API works: <a href="api/v2/status">api/v2/status</a>, <a href="api/v2/alerts">api/v2/alerts</a>.</p>
`;

const go = (args, options = {}) =>
  execFileSync('go', args, { encoding: 'utf8', env: GO_ENV, cwd: tmpdir(), ...options }).trim();

function fill(template, server) {
  return template
    .replaceAll('{release}', server.release)
    .replaceAll('{module}', server.module)
    .replaceAll('{moduleVersion}', server.moduleVersion)
    .replaceAll('{date}', new Date().toISOString().replace(/\.\d+Z$/, 'Z'));
}

/** What decides the binaries' content: a cached folder with another recipe is rebuilt. */
function recipe(server, goVersion) {
  const { module, moduleVersion, release, binaries, tags, placeholders, versionFlags } = server;
  return JSON.stringify({
    module,
    moduleVersion,
    release,
    binaries,
    tags,
    placeholders,
    versionFlags,
    go: goVersion,
  });
}

/** The module's source: Go's module cache, or a writable copy when files must be added. */
function sourceDir(server, work) {
  const info = JSON.parse(
    go(['mod', 'download', '-json', `${server.module}@${server.moduleVersion}`]),
  );
  if (info.Error) throw new Error(`${server.module}@${server.moduleVersion}: ${info.Error}`);
  if (!server.placeholders?.length) return info.Dir;
  // Files the module embeds but does not ship (a UI built by npm in the release build).
  const copy = join(work, 'src');
  cpSync(info.Dir, copy, { recursive: true });
  execFileSync('chmod', ['-R', 'u+w', copy]);
  for (const file of server.placeholders) {
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    writeFileSync(join(copy, file), PLACEHOLDER);
  }
  return copy;
}

function build(name, server, goVersion) {
  const dir = join(ROOT, `${name}-${server.release}`);
  const work = `${dir}.tmp-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const started = Date.now();
  try {
    const src = sourceDir(server, work);
    const ldflags = [
      '-s',
      '-w',
      ...Object.entries(server.versionFlags).map(([k, v]) => `-X=${k}=${fill(v, server)}`),
    ].join(' ');
    for (const [binary, pkg] of Object.entries(server.binaries)) {
      console.log(`  go build ${server.module}/${pkg.slice(2)}@${server.moduleVersion}`);
      const args = ['build', '-trimpath', `-ldflags=${ldflags}`, '-o', join(work, binary)];
      if (server.tags.length) args.push(`-tags=${server.tags.join(',')}`);
      const result = spawnSync('go', [...args, pkg], { cwd: src, env: GO_ENV, stdio: 'inherit' });
      if (result.status !== 0) throw new Error(`go build ${pkg} failed (exit ${result.status})`);
    }
    rmSync(join(work, 'src'), { recursive: true, force: true });
    const seconds = Math.round((Date.now() - started) / 1000);
    writeFileSync(join(work, 'recipe.json'), recipe(server, goVersion));
    writeFileSync(join(work, 'build.json'), JSON.stringify({ seconds, at: new Date() }, null, 2));
    rmSync(dir, { recursive: true, force: true });
    renameSync(work, dir);
    return seconds;
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    throw error;
  }
}

function upToDate(name, server, goVersion) {
  const dir = join(ROOT, `${name}-${server.release}`);
  const file = join(dir, 'recipe.json');
  return (
    existsSync(file) &&
    readFileSync(file, 'utf8') === recipe(server, goVersion) &&
    Object.keys(server.binaries).every((b) => existsSync(join(dir, b)))
  );
}

function main() {
  const wanted = process.argv.slice(2);
  const names = Object.keys(CONFIG.servers);
  for (const name of wanted) {
    if (!names.includes(name))
      throw new Error(`unknown server ${name}; known: ${names.join(', ')}`);
  }
  let goVersion;
  try {
    goVersion = go(['env', 'GOVERSION']);
  } catch {
    const message =
      "Go is not installed, so the pinned servers cannot be built. Tests fall back to Debian's prometheus and alertmanager on the PATH (apt-get install -y prometheus prometheus-alertmanager) and skip the Jaeger and VictoriaMetrics suites.";
    if (process.env.CI === 'true') throw new Error(`CI=true: ${message}`);
    console.log(message);
    return;
  }
  mkdirSync(ROOT, { recursive: true });
  console.log(`servers in ${ROOT} (${goVersion})`);
  for (const name of wanted.length ? wanted : names) {
    const server = CONFIG.servers[name];
    const dir = join(ROOT, `${name}-${server.release}`);
    let how = 'cached';
    if (!upToDate(name, server, goVersion)) {
      console.log(`${name} ${server.release}: building ${server.module}@${server.moduleVersion}`);
      how = `built in ${build(name, server, goVersion)} s`;
    }
    for (const binary of Object.keys(server.binaries)) {
      console.log(`${`${binary} ${server.release}`.padEnd(26)} ${join(dir, binary)}  (${how})`);
    }
  }
}

try {
  main();
} catch (error) {
  console.error(`servers: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
