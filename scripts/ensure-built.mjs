#!/usr/bin/env node
/**
 * Builds the workspace (pnpm -r run build) when a package's dist/ is missing or older than its
 * sources, so that `pnpm serve` and `pnpm start` always run JavaScript built from the code as it is.
 * Plain JavaScript on purpose: it must run before anything is built, with node alone.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const shared = ['tsconfig.base.json', 'tsconfig.build.json'].map((name) => statSync(join(root, name)).mtimeMs);

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** Built packages are those with a tsconfig.build.json; each is stale when a source is newer than its dist/index.js. */
function stalePackages() {
  const packages = join(root, 'packages');
  return readdirSync(packages).filter((name) => {
    const dir = join(packages, name);
    if (!existsSync(join(dir, 'tsconfig.build.json'))) return false;
    const built = join(dir, 'dist', 'index.js');
    if (!existsSync(built)) return true;
    const sources = Math.max(newest(join(dir, 'src')), statSync(join(dir, 'package.json')).mtimeMs, statSync(join(dir, 'tsconfig.build.json')).mtimeMs, ...shared);
    return sources > statSync(built).mtimeMs;
  });
}

/**
 * One build at a time: commands started together (`rally sample | rally predict`) would otherwise
 * both build into the same dist/. The lock is a directory (mkdir is atomic); the others wait for
 * it, then look again. A lock older than 5 minutes is from a build that was killed.
 */
const lock = join(root, 'node_modules', '.rally-build-lock');
function withLock(action) {
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (existsSync(lock) && Date.now() - statSync(lock, { throwIfNoEntry: false })?.mtimeMs > 300_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) break;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    action();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

if (stalePackages().length > 0) {
  withLock(() => {
    const stale = stalePackages();
    if (stale.length === 0) return; // another command built meanwhile
    process.stderr.write(`Building the workspace (${stale.join(', ')} changed since the last build)...\n`);
    try {
      execFileSync('pnpm', ['-r', '--silent', 'run', 'build'], { cwd: root, stdio: ['ignore', 2, 'inherit'] });
    } catch {
      process.stderr.write('The build failed (see above); fix it, or run pnpm dev to serve from the sources.\n');
      rmSync(lock, { recursive: true, force: true });
      process.exit(1);
    }
  });
}
