#!/usr/bin/env node
// Fails when a published package changed since its last version bump and no pending changeset
// names it: every change to a published package ships with a changeset.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const git = (...args) => execFileSync('git', args, { encoding: 'utf8' }).trim();

const pending = new Set();
for (const file of readdirSync('.changeset').filter(
  (f) => f.endsWith('.md') && f !== 'README.md',
)) {
  const text = readFileSync(join('.changeset', file), 'utf8');
  const front = text.split('---')[1] ?? '';
  for (const match of front.matchAll(/^\s*['"]?(@?[^'":\s]+)['"]?\s*:/gm)) pending.add(match[1]);
}

const missing = [];
for (const dir of readdirSync('packages')) {
  const pkgFile = join('packages', dir, 'package.json');
  if (!existsSync(pkgFile)) continue;
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
  if (pkg.private) continue;
  // The last commit that set the version is the last release point of this package.
  const released = git('log', '-1', '--format=%H', '-G"version"', '--', pkgFile);
  const changed = released
    ? git('diff', '--name-only', released, 'HEAD', '--', join('packages', dir))
    : 'uncommitted';
  const dirty = git('status', '--porcelain', '--', join('packages', dir));
  const touched = (changed || dirty) && !(changed === '' && dirty === '');
  if (touched && !pending.has(pkg.name)) missing.push(pkg.name);
  console.log(
    `${touched ? (pending.has(pkg.name) ? '✓ changed, has a changeset' : '✗ changed, no changeset') : '✓ unchanged'}: ${pkg.name}`,
  );
}
if (missing.length) {
  console.error(`\nadd a changeset (pnpm changeset) for: ${missing.join(', ')}`);
  process.exit(1);
}
