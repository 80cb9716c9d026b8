import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from '@rally/testkit';

/**
 * The tests that go through pnpm (`pnpm exec rally`, `pnpm train`) run bin/rally.js, which runs the
 * built code and builds first when the sources changed: build once here, before they run side by side.
 */
export default function setup(): void {
  execFileSync(process.execPath, [`${REPO_ROOT}scripts/ensure-built.mjs`], { stdio: 'inherit' });
}
