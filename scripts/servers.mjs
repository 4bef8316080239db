#!/usr/bin/env node
// `pnpm servers`: builds the pinned Prometheus, Alertmanager, Jaeger and VictoriaMetrics from their
// Go modules (tools/testkit/src/servers.json) into a cache folder keyed by version, and the Go
// programs of the tests (`tools`: operator-config) into one keyed by a hash of their source, only
// when missing, and prints where they are. tools/testkit and the tests find them there.
//   node scripts/servers.mjs                 every server and tool
//   node scripts/servers.mjs jaeger          only the named ones
// Cache: $AIO_SERVERS_DIR, else ${XDG_CACHE_HOME:-~/.cache}/ai-orchestrator/servers (the same
// rule as tools/testkit/src/servers.ts).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));
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

/**
 * Builds `binaries` (name -> package) into `dir` through a temp folder renamed at the end, so a
 * failed or interrupted build never leaves a half folder that looks cached.
 * `source(work)` returns the folder to build in; `flags` go before the package.
 */
function compile(dir, binaries, source, flags, recipeText, label) {
  const work = `${dir}.tmp-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const started = Date.now();
  try {
    const src = source(work);
    for (const [binary, pkg] of Object.entries(binaries)) {
      console.log(`  go build ${label(pkg)}`);
      const args = ['build', '-trimpath', ...flags, '-o', join(work, binary), pkg];
      const result = spawnSync('go', args, { cwd: src, env: GO_ENV, stdio: 'inherit' });
      if (result.status !== 0) throw new Error(`go build ${pkg} failed (exit ${result.status})`);
    }
    rmSync(join(work, 'src'), { recursive: true, force: true });
    const seconds = Math.round((Date.now() - started) / 1000);
    writeFileSync(join(work, 'recipe.json'), recipeText);
    writeFileSync(join(work, 'build.json'), JSON.stringify({ seconds, at: new Date() }, null, 2));
    rmSync(dir, { recursive: true, force: true });
    renameSync(work, dir);
    return seconds;
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    throw error;
  }
}

function buildServer(dir, server, goVersion) {
  const ldflags = [
    '-s',
    '-w',
    ...Object.entries(server.versionFlags).map(([k, v]) => `-X=${k}=${fill(v, server)}`),
  ].join(' ');
  const flags = [`-ldflags=${ldflags}`];
  if (server.tags.length) flags.push(`-tags=${server.tags.join(',')}`);
  return compile(
    dir,
    server.binaries,
    (work) => sourceDir(server, work),
    flags,
    recipe(server, goVersion),
    (pkg) => `${server.module}/${pkg.slice(2)}@${server.moduleVersion}`,
  );
}

/**
 * The first 16 hex digits of a SHA-256 over a folder's file names and contents (sorted): the
 * cache key of a tool. infra/deploy-tests/go-tool.ts computes the same to find the build.
 */
function sourceHash(folder) {
  const hash = createHash('sha256');
  for (const file of readdirSync(folder).sort())
    hash.update(file).update(readFileSync(join(folder, file)));
  return hash.digest('hex').slice(0, 16);
}

/** name -> where it is cached, its binaries, the recipe that decides them, how to build them. */
function targets(goVersion) {
  const out = {};
  for (const [name, server] of Object.entries(CONFIG.servers)) {
    out[name] = {
      dir: join(ROOT, `${name}-${server.release}`),
      binaries: server.binaries,
      what: server.release,
      recipe: recipe(server, goVersion),
      build: (dir) => buildServer(dir, server, goVersion),
      from: `${server.module}@${server.moduleVersion}`,
    };
  }
  for (const [name, tool] of Object.entries(CONFIG.tools)) {
    const src = join(REPO, tool.source);
    const hash = sourceHash(src);
    const toolRecipe = JSON.stringify({ source: tool.source, hash, go: goVersion });
    out[name] = {
      dir: join(ROOT, `${name}-${hash}`),
      binaries: tool.binaries,
      what: hash,
      recipe: toolRecipe,
      // the tool's own go.mod pins its dependencies; the package is its folder
      build: (dir) =>
        compile(
          dir,
          tool.binaries,
          () => src,
          ['-ldflags=-s -w'],
          toolRecipe,
          () => tool.source,
        ),
      from: tool.source,
    };
  }
  return out;
}

function upToDate(target) {
  const file = join(target.dir, 'recipe.json');
  return (
    existsSync(file) &&
    readFileSync(file, 'utf8') === target.recipe &&
    Object.keys(target.binaries).every((b) => existsSync(join(target.dir, b)))
  );
}

function main() {
  const wanted = process.argv.slice(2);
  const names = [...Object.keys(CONFIG.servers), ...Object.keys(CONFIG.tools)];
  for (const name of wanted) {
    if (!names.includes(name))
      throw new Error(`unknown server or tool ${name}; known: ${names.join(', ')}`);
  }
  let goVersion;
  try {
    goVersion = go(['env', 'GOVERSION']);
  } catch {
    const message =
      "Go is not installed, so the pinned servers cannot be built. Tests fall back to Debian's prometheus and alertmanager on the PATH (apt-get install -y prometheus prometheus-alertmanager) and skip the Jaeger, VictoriaMetrics and operator-config suites.";
    if (process.env.CI === 'true') throw new Error(`CI=true: ${message}`);
    console.log(message);
    return;
  }
  mkdirSync(ROOT, { recursive: true });
  console.log(`servers in ${ROOT} (${goVersion})`);
  const all = targets(goVersion);
  for (const name of wanted.length ? wanted : names) {
    const target = all[name];
    let how = 'cached';
    if (!upToDate(target)) {
      console.log(`${name} ${target.what}: building ${target.from}`);
      how = `built in ${target.build(target.dir)} s`;
    }
    for (const binary of Object.keys(target.binaries)) {
      console.log(`${`${binary} ${target.what}`.padEnd(26)} ${join(target.dir, binary)}  (${how})`);
    }
  }
}

try {
  main();
} catch (error) {
  console.error(`servers: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
