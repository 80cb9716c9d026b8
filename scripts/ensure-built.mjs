#!/usr/bin/env node
/**
 * Builds the workspace (pnpm -r run build) when a package's dist/ is missing or older than its
 * sources, so that `pnpm serve` and `pnpm start` always run JavaScript built from the code as it is.
 * Plain JavaScript on purpose: it must run before anything is built, with node alone.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
 * both build into the same dist/. The lock is a directory (mkdir is atomic) holding the builder's
 * pid; the others wait for it, saying so, then look again. A lock whose process is gone (killed
 * mid-build) is taken over; after 5 minutes of waiting for a live one, the command gives up.
 */
const lock = join(root, 'node_modules', '.rally-build-lock');
const owner = join(lock, 'pid');
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function holder() {
  const pid = Number(existsSync(owner) ? readFileSync(owner, 'utf8') : NaN);
  if (!Number.isInteger(pid)) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    return error.code === 'EPERM' ? pid : null;
  }
}

function acquire() {
  const deadline = Date.now() + 300_000;
  let said = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(owner, String(process.pid));
      return;
    } catch (error) {
      if (error.code !== 'EEXIST') {
        process.stderr.write(`Cannot take the build lock ${lock} (${error.code}).\n`);
        process.exit(1);
      }
    }
    const pid = holder();
    // No live holder: a build was killed, or its pid is not written yet (give it a moment).
    if (pid === null && Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? 0) > 2000) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) {
      process.stderr.write(`Gave up waiting for the build of process ${pid} (lock ${lock}); remove the lock if that process is not building.\n`);
      process.exit(1);
    }
    if (!said && pid !== null) {
      process.stderr.write(`Waiting for the build of process ${pid}...\n`);
      said = true;
    }
    sleep(200);
  }
}

function release() {
  if (holder() === process.pid) rmSync(lock, { recursive: true, force: true });
}

if (stalePackages().length > 0) {
  acquire();
  // Ctrl+C reaches the build too; the lock must not outlive this process.
  const interrupted = () => {
    release();
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const stale = stalePackages(); // another command may have built meanwhile
    if (stale.length > 0) {
      process.stderr.write(`Building the workspace (${stale.join(', ')} changed since the last build)...\n`);
      try {
        execFileSync('pnpm', ['-r', '--silent', 'run', 'build'], { cwd: root, stdio: ['ignore', 2, 'inherit'] });
      } catch {
        process.stderr.write('The build failed (see above); fix it, or run pnpm dev to serve from the sources.\n');
        release();
        process.exit(1);
      }
    }
  } finally {
    release();
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
  }
}
