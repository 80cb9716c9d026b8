import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { examplePoint } from '@rally/features';
import { storeWithProduction } from '@rally/model-fixtures';
import { REPO_ROOT, tempDir } from '@rally/testkit';
import { startServerProcess, stopAllServers } from '../src/index.ts';

const run = promisify(execFile);

/** The repository's committed files, as a fresh clone has them (no node_modules, no dist, nothing uncommitted). */
async function cleanCopy(): Promise<string> {
  const { stdout } = await run('git', ['ls-files', '--cached', '-z'], { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 });
  const copy = tempDir('clean-clone');
  for (const file of stdout.split('\0').filter(Boolean)) {
    if (!existsSync(join(REPO_ROOT, file))) continue; // deleted, not yet committed
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    cpSync(join(REPO_ROOT, file), join(copy, file));
  }
  return copy;
}

describe('production install: the Dockerfile\'s build steps in a clean folder, then node alone', () => {
  let installDir = '';
  afterAll(stopAllServers);

  it('deploy/build-production.sh installs, builds and writes a production install without dev dependencies', async () => {
    const copy = await cleanCopy();
    expect(existsSync(join(copy, 'node_modules'))).toBe(false);
    installDir = join(tempDir('production'), 'app');
    await run(join(copy, 'deploy/build-production.sh'), [installDir], { cwd: copy, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, CI: '1' } });
    expect(existsSync(join(installDir, 'dist/run.js'))).toBe(true);
    expect(existsSync(join(installDir, 'bin/rally.js'))).toBe(true);
    expect(existsSync(join(installDir, 'src'))).toBe(false);
    const installed = readdirSync(join(installDir, 'node_modules/.pnpm'));
    for (const dev of ['vitest@', 'vite@', 'typescript@', 'fast-check@', 's3rver@', 'puppeteer-core@', '@sparticuz+chromium@']) {
      expect(installed.filter((name) => name.startsWith(dev)), dev).toEqual([]);
    }
    // Workspace packages arrive built: their dist/ and declared files, not their sources or tests.
    const features = join(installDir, 'node_modules/@rally/features');
    expect(existsSync(join(features, 'dist/index.js'))).toBe(true);
    expect(existsSync(join(features, 'contract/australian_open.contract.json'))).toBe(true);
    expect(existsSync(join(features, 'src'))).toBe(false);
    expect(existsSync(join(features, 'test'))).toBe(false);
  }, 240_000);

  it('serves predictions, metrics and the API document with `node bin/rally.js serve`, then stops cleanly on SIGTERM', async () => {
    expect(installDir).not.toBe('');
    const { root, run: model } = await storeWithProduction();
    const server = await startServerProcess({ command: { installDir }, env: { MODEL_STORE: root, CACHE_DIR: join(installDir, 'cache'), NODE_OPTIONS: '' } });
    const answer = await fetch(`${server.base}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: examplePoint() }) });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-model-id')).toBe(model.modelId);
    expect(['W', 'FE', 'UE']).toContain(((await answer.json()) as string[])[0]);
    expect(await (await fetch(`${server.base}/metrics`)).text()).toContain(`rally_model_info{model_id="${model.modelId}"} 1`);
    expect(((await (await fetch(`${server.base}/docs/json`)).json()) as { components: { schemas: object } }).components.schemas).toHaveProperty('DataPoint');
    // The configuration is logged once, as JSON (not a terminal).
    const configLine = server.output().split('\n').find((line) => line.includes('"msg":"configuration"'));
    expect(JSON.parse(configLine!).config.MODEL_STORE).toBe(root);
    server.signal('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });

  it('reads relative paths from its working directory (no workspace there): ./store and ./.env', async () => {
    const { root, run: model } = await storeWithProduction();
    cpSync(root, join(installDir, 'store'), { recursive: true });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(installDir, '.env'), 'LOG_LEVEL=warn\n');
    const server = await startServerProcess({ command: { installDir }, env: { MODEL_STORE: '', CACHE_DIR: '', ENV_FILE: '' } });
    const ready = (await (await fetch(`${server.base}/health/ready`)).json()) as { model_id: string };
    expect(ready.model_id).toBe(model.modelId);
    expect(existsSync(join(installDir, 'cache', model.modelId))).toBe(true);
    // LOG_LEVEL=warn from .env: no info line (the configuration line is info).
    expect(server.output()).not.toContain('"msg":"configuration"');
    expect(readFileSync(join(installDir, 'package.json'), 'utf8')).toContain('"name": "@rally/cli"');
    server.signal('SIGTERM');
    expect((await server.exited).code).toBe(0);
  });
});
