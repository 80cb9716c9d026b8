// @module-tag e2e
/**
 * The server's own log, as an operator reads it (LOG_FORMAT=json: one JSON object per line on
 * stdout): its configuration once, the model it loaded, why none is loaded, and the model id on
 * every line once one is. Captured where pino writes, file descriptor 1, in this process.
 */
import fs from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { storeWithProduction } from '@rally/model-fixtures';
import { tempDir } from '@rally/testkit';
import { configFromEnv } from '../src/index.ts';
import { startWithConfig } from '../src/server.ts';

type Line = { level: number; msg: string; model_id?: string; config?: Record<string, string> };

afterEach(() => {
  vi.restoreAllMocks();
});

/** The JSON lines written to standard output from now on (pino writes there with fs.write). */
function stdoutLines(): Line[] {
  const lines: Line[] = [];
  const keep = (data: unknown) => {
    for (const line of String(data).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
  };
  const write = fs.write;
  vi.spyOn(fs, 'write').mockImplementation(((fd: number, data: unknown, ...rest: unknown[]) => {
    if (fd !== 1) return (write as (...args: unknown[]) => void)(fd, data, ...rest);
    keep(data);
    const done = rest.at(-1);
    if (typeof done === 'function') process.nextTick(done, null, Buffer.byteLength(String(data)));
  }) as never);
  const writeSync = fs.writeSync;
  vi.spyOn(fs, 'writeSync').mockImplementation(((fd: number, data: unknown, ...rest: unknown[]) => {
    if (fd !== 1) return (writeSync as (...args: unknown[]) => number)(fd, data, ...rest);
    keep(data);
    return Buffer.byteLength(String(data));
  }) as never);
  return lines;
}

async function started(env: NodeJS.ProcessEnv) {
  const lines = stdoutLines();
  const app = await startWithConfig(configFromEnv({ PORT: '0', LOG_FORMAT: 'json', POLL_INTERVAL_SECONDS: '0', CACHE_DIR: tempDir('cache'), ...env }, { isTerminal: false }));
  return { app, lines };
}

describe('the server log (LOG_FORMAT=json)', () => {
  it('says its configuration once, then the model it loaded, and names that model on every line from then on', async () => {
    const { root } = await storeWithProduction();
    const { app, lines } = await started({ MODEL_STORE: root, LOG_LEVEL: 'debug' });
    try {
      for (let i = 0; i < 100 && !(await app.inject({ url: '/health/ready' })).json().model_id; i++) await delay(20);
      const id = (await app.inject({ url: '/model' })).json().model_id;
      expect(lines[0]).toMatchObject({ level: 30, msg: 'configuration', config: { MODEL_STORE: root, LOG_FORMAT: 'json', LOG_LEVEL: 'debug' } });
      expect(lines[0].model_id).toBeUndefined();
      expect(lines.filter((line) => line.msg === 'configuration')).toHaveLength(1);
      const loaded = lines.findIndex((line) => line.msg === `Loaded production model ${id}.`);
      expect(lines[loaded]).toMatchObject({ level: 30, model_id: id });
      const after = lines.slice(loaded);
      expect(after.filter((line) => line.level === 20).length).toBeGreaterThanOrEqual(2);
      expect(after.every((line) => line.model_id === id)).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('warns why no model is loaded when the store has none, at start and at every failed poll, and listens anyway', async () => {
    const store = tempDir('empty-store');
    const { app, lines } = await started({ MODEL_STORE: store, LOG_LEVEL: 'info', POLL_INTERVAL_SECONDS: '1' });
    try {
      expect(app.server.listening).toBe(true);
      await delay(1400);
      const warnings = lines.filter((line) => line.level === 40);
      const reason = `The model store (local folder ${store}) has no production model yet; train one and deploy it.`;
      expect(warnings[0]).toEqual(expect.objectContaining({ msg: `No model loaded yet: ${reason}` }));
      expect(warnings.length).toBeGreaterThanOrEqual(2);
      expect(warnings[1].msg).toContain(reason);
      expect(lines.every((line) => line.model_id === undefined)).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('at LOG_LEVEL=warn says only warnings: no configuration line', async () => {
    const { app, lines } = await started({ MODEL_STORE: tempDir('empty-store'), LOG_LEVEL: 'warn' });
    try {
      await delay(100);
      expect(lines.length).toBeGreaterThanOrEqual(1);
      expect(lines.every((line) => line.level >= 40)).toBe(true);
    } finally {
      await app.close();
    }
  });
});
