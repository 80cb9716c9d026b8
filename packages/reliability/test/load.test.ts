/**
 * Items 8, 9 and the soak: a server under load keeps answering its health checks, does not write a
 * log line per request, and survives a minute of traffic with a deploy and a rollback in the middle
 * (no failed request, memory back near where it started).
 */
import net from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { sampleDataPoints } from '@rally/features';
import { trainTinyRun } from '@rally/model-fixtures';
import { deployRun, LocalFolderStore } from '@rally/model-store';
import { rssMb, runRally, tempDir, waitUntil } from '@rally/testkit';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { percentile, runLoad, startServerProcess, stopAllServers } from '../src/index.ts';

let storeDir: string;
let outputDir: string;
let first: string;
let second: string;
beforeAll(async () => {
  storeDir = tempDir('store');
  outputDir = tempDir('output');
  // A production-sized forest (100 trees), so that large batches cost what they cost in production.
  first = (await trainTinyRun({ outputDir, rows: 2000, params: { nEstimators: 100, maxDepth: 20 } })).run.modelId;
  second = (await trainTinyRun({ outputDir, rows: 2000, params: { nEstimators: 100, maxDepth: 20, seed: 7 } })).run.modelId;
  await deployRun(new LocalFolderStore(storeDir), join(outputDir, first));
});
afterEach(stopAllServers);

describe('item 8: health checks under a saturating load of 1000-point batches', () => {
  it('/health/live answers within 1 s while 50 connections post 1000 points each', async () => {
    const server = await startServerProcess({ command: 'node', env: { MODEL_STORE: storeDir, CACHE_DIR: tempDir('cache'), LOG_LEVEL: 'warn' } });
    const body = JSON.stringify({ data: sampleDataPoints(1000, 8) });
    const load = runLoad({ url: `${server.base}/predict`, body, connections: 50, durationMs: 8000, timeoutMs: 60_000 });
    await delay(1000);
    const latencies: number[] = [];
    const until = Date.now() + 6000;
    while (Date.now() < until) {
      const started = performance.now();
      const response = await fetch(`${server.base}/health/live`, { signal: AbortSignal.timeout(20_000) });
      expect(response.status).toBe(200);
      latencies.push(performance.now() - started);
      await delay(100);
    }
    const result = await load;
    console.log(`measured: /health/live under load, ${latencies.length} probes: median ${percentile(latencies, 50).toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms; ${result.ok} batches answered`);
    expect(result.ok).toBeGreaterThan(20);
    expect(Math.max(...latencies), `health latencies ${latencies.map((l) => l.toFixed(0)).join(' ')} ms`).toBeLessThan(1000);
  });
});

describe('item 8, continued: clients that leave while their batch waits its turn', () => {
  it('do not stall the server: a batch sent after them is answered', async () => {
    const server = await startServerProcess({ command: 'node', env: { MODEL_STORE: storeDir, CACHE_DIR: tempDir('cache'), LOG_LEVEL: 'warn' } });
    // 1000-point bodies: each holds the turn for tens of ms, so most of the twenty wait in the queue.
    const body = JSON.stringify({ data: sampleDataPoints(1000, 11) });
    const request = `POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    for (let round = 0; round < 3; round++) {
      // Twenty complete requests whose clients hang up at once, most of them while queued.
      await Promise.all(
        Array.from({ length: 20 }, () => new Promise<void>((resolve) => {
          const socket = net.connect({ host: '127.0.0.1', port: server.port }, () => socket.write(request, () => {
            socket.destroy();
            resolve();
          }));
          socket.on('error', () => resolve());
        })),
      );
      await delay(300);
      const response = await fetch(`${server.base}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(5000) });
      expect(response.status).toBe(200);
    }
  });
});

describe('item 9: logs under load at the default level', () => {
  it('2000 requests write no line per request (at most a few KB in all)', async () => {
    const server = await startServerProcess({ command: 'node', env: { MODEL_STORE: storeDir, CACHE_DIR: tempDir('cache'), LOG_LEVEL: '' } });
    const before = server.output().length;
    const result = await runLoad({ url: `${server.base}/predict`, body: JSON.stringify({ data: sampleDataPoints(1, 9) }), connections: 10, durationMs: 30_000, maxRequests: 2000 });
    expect(result.ok, JSON.stringify(result.failures)).toBe(2000);
    await delay(300);
    console.log(`measured: ${server.output().length - before} bytes of log for 2000 requests at the default level`);
    expect(server.output().length - before).toBeLessThan(4096);
  });
});

describe('soak: 60 s at 50 connections, a deploy and a rollback during it', () => {
  it('no failed request; both promotions are picked up; RSS ends within 20% of where it started', async () => {
    const server = await startServerProcess({ command: 'node', env: { MODEL_STORE: storeDir, CACHE_DIR: tempDir('cache'), LOG_LEVEL: 'warn' } });
    const body = JSON.stringify({ data: sampleDataPoints(1, 10) });
    // Warm up (JIT, buffers), then take the starting RSS.
    await runLoad({ url: `${server.base}/predict`, body, connections: 50, durationMs: 3000 });
    await delay(1000);
    const rssStart = rssMb(server.pid);
    const seen: string[] = []; // the model ids answering, in order, without repeats
    const watcher = (async () => {
      const until = Date.now() + 60_000;
      while (Date.now() < until) {
        try {
          const info = (await (await fetch(`${server.base}/model`)).json()) as { model_id?: string };
          if (info.model_id && info.model_id !== seen.at(-1)) seen.push(info.model_id);
        } catch {
          // counted by the load
        }
        await delay(250);
      }
    })();
    const load = runLoad({ url: `${server.base}/predict`, body, connections: 50, durationMs: 60_000 });
    const deploy = (...args: string[]) => runRally(['deploy', ...args], { MODEL_STORE: storeDir });
    await delay(20_000);
    expect((await deploy(second, '--output', outputDir)).code).toBe(0);
    await delay(20_000);
    expect((await deploy('--rollback')).code).toBe(0);
    const result = await load;
    await watcher;
    expect(result.failed, JSON.stringify(result.failures)).toBe(0);
    expect(result.ok).toBeGreaterThan(10_000);
    // The deploy, then the rollback, each picked up.
    expect(seen).toEqual([first, second, first]);
    expect(percentile(result.latenciesMs, 99)).toBeLessThan(1000);
    // Memory settles back once the load stops.
    const settled = await waitUntil(() => rssMb(server.pid) <= rssStart * 1.2, 15_000, 500);
    console.log(`measured: soak ${result.ok} requests, ${result.failed} failed, p99 ${percentile(result.latenciesMs, 99).toFixed(1)} ms; RSS ${rssStart.toFixed(0)} MB at the start, ${rssMb(server.pid).toFixed(0)} MB after`);
    expect(settled, `RSS ${rssStart.toFixed(0)} MB at the start, ${rssMb(server.pid).toFixed(0)} MB after`).toBe(true);
  });
});
