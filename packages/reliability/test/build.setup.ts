import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from '@rally/testkit';

/**
 * `pnpm serve` runs the built server and builds first when the sources changed: build once here,
 * so that servers the tests start side by side never build at the same time.
 */
export default function setup(): void {
  execFileSync(process.execPath, [`${REPO_ROOT}scripts/ensure-built.mjs`], { stdio: 'inherit' });
}
