#!/usr/bin/env node
// Fails when a published package changed since its last release and no pending changeset names
// it. A release is the commit where `changeset version` wrote the package's CHANGELOG.md; a
// package that was never released needs a changeset for its first release.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const git = (...args) => execFileSync('git', args, { encoding: 'utf8' }).trim();

const pending = new Set();
for (const file of readdirSync('.changeset').filter(
  (f) => f.endsWith('.md') && f !== 'README.md',
)) {
  const front = readFileSync(join('.changeset', file), 'utf8').split('---')[1] ?? '';
  for (const match of front.matchAll(/^\s*['"]?(@?[^'":\s]+)['"]?\s*:/gm)) pending.add(match[1]);
}

const missing = [];
for (const dir of readdirSync('packages')) {
  const folder = join('packages', dir);
  const pkgFile = join(folder, 'package.json');
  if (!existsSync(pkgFile)) continue;
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
  if (pkg.private) continue;
  const released = git('log', '-1', '--format=%H', '--', join(folder, 'CHANGELOG.md'));
  let state;
  if (!released) {
    state = 'never released';
  } else {
    const committed = git('diff', '--name-only', released, 'HEAD', '--', folder);
    const uncommitted = git('status', '--porcelain', '--', folder);
    state = committed || uncommitted ? 'changed since its release' : undefined;
  }
  if (state && !pending.has(pkg.name)) missing.push(pkg.name);
  const mark = !state || pending.has(pkg.name) ? '✓' : '✗';
  console.log(
    `${mark} ${pkg.name}: ${state ?? 'unchanged since its release'}${state ? (pending.has(pkg.name) ? ', has a changeset' : ', no changeset') : ''}`,
  );
}
if (missing.length) {
  console.error(`\nadd a changeset (pnpm changeset) for: ${missing.join(', ')}`);
  process.exit(1);
}
