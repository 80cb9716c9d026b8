/**
 * pnpm bench:serve — loads real servers with wrk (loopback only, bounded runs) and prints req/s,
 * p50/p99 latency, errors and server RSS for one-point and 100-point bodies, side by side:
 *   rally            this repository's server (WORKERS processes) serving the `pnpm train` default model
 *   rally, original's settings  the same server with a model of the original's settings (100 trees,
 *                    max depth 20, sqrt features): what it served before the defaults were tuned
 *   original         Flask + scikit-learn under gunicorn with 2 workers (bench/reference/flask_app.py)
 *   ceiling          Fastify answering a constant on the same route: one process (the brief's ceiling)
 *                    and, when WORKERS > 1, as many processes as rally
 * Needs Debian's wrk, gunicorn, python3-flask, python3-sklearn (installed if missing).
 * Options (env): DURATION (10 s), CONNECTIONS (50), WORKERS (2); TREES (100) and MAX_DEPTH (20) of
 * the original's settings (both the Flask reference and the second rally row).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { GROUND_TRUTH_PATH, sampleDataPoints } from '@rally/features';
import { loadDataset } from '@rally/features/dataset';
import { deployRun, LocalFolderStore } from '@rally/model-store';
import { writeRun } from '@rally/model';
import { rssMb, tempDir } from '@rally/testkit';
import { formatSettings, TRAIN_DEFAULTS, trainRun } from '@rally/train';
import { DEFAULT_PARAMS } from '@rally/forest';
import { ensureDebianPackages, writeReferenceSplit } from './lib/reference.ts';
import { machineLine } from './lib/timing.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const REFERENCE = fileURLToPath(new URL('./reference/', import.meta.url));
const DURATION = Number(process.env.DURATION ?? 10);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const WORKERS = Number(process.env.WORKERS ?? 2);
const TREES = Number(process.env.TREES ?? 100);
const MAX_DEPTH = Number(process.env.MAX_DEPTH ?? 20);
const work = tempDir('bench-serve');


async function waitForPort(port: number, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      await fetch(`http://127.0.0.1:${port}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      return;
    } catch {
      await delay(200);
    }
  }
  throw new Error(`nothing listens on ${port} after ${timeoutMs} ms`);
}

interface WrkResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  requests: number;
}

function toMs(value: string): number {
  const match = value.match(/([\d.]+)(us|ms|s|m)$/);
  if (!match) throw new Error(`cannot read the latency "${value}"`);
  const n = Number(match[1]);
  return match[2] === 'us' ? n / 1000 : match[2] === 's' ? n * 1000 : match[2] === 'm' ? n * 60_000 : n;
}

function wrk(port: number, bodyFile: string): WrkResult {
  const out = execFileSync('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${DURATION}s`, '--latency', '-s', join(REFERENCE, 'post.lua'), `http://127.0.0.1:${port}/predict`], {
    env: { ...process.env, BODY_FILE: bodyFile },
  }).toString();
  if (!/Latency Distribution/.test(out)) throw new Error(`wrk gave no latency distribution:\n${out}`);
  const non2xx = Number(out.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0);
  const socket = out.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  const socketErrors = socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  return {
    rps: Number(out.match(/Requests\/sec:\s+([\d.]+)/)![1]),
    p50: toMs(out.match(/^\s+50%\s+(\S+)/m)![1]),
    p99: toMs(out.match(/^\s+99%\s+(\S+)/m)![1]),
    errors: non2xx + socketErrors,
    requests: Number(out.match(/(\d+) requests in/)![1]),
  };
}

async function measure(name: string, start: () => ChildProcess, port: number, bodies: Record<string, string>) {
  const child = start();
  try {
    await waitForPort(port, child);
    const results: Record<string, WrkResult> = {};
    for (const [label, file] of Object.entries(bodies)) {
      wrk(port, file); // warm-up pass (JIT, caches), not recorded
      results[label] = wrk(port, file);
    }
    return { name, results, rss: rssMb(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

async function main(): Promise<void> {
  ensureDebianPackages(['sh', '-c', 'command -v wrk && command -v gunicorn && /usr/bin/python3 -c "import flask, sklearn"'], ['wrk', 'gunicorn', 'python3-flask', 'python3-sklearn']);
  const originalParams = { ...DEFAULT_PARAMS, nEstimators: TREES, maxDepth: MAX_DEPTH };
  const stores: Record<'defaults' | 'original', string> = { defaults: join(work, 'store-defaults'), original: join(work, 'store-original') };
  for (const [name, params] of [['defaults', TRAIN_DEFAULTS], ['original', originalParams]] as const) {
    console.error(`Training a model with ${formatSettings(params)}...`);
    const run = await trainRun({ dataPath: GROUND_TRUTH_PATH, params });
    await deployRun(new LocalFolderStore(stores[name]), writeRun(run, join(work, 'output')));
  }

  const splitFile = join(work, 'split.json');
  writeReferenceSplit(loadDataset(GROUND_TRUTH_PATH).table.array('outcome') as string[], splitFile);

  const bodies = { '1 point': join(work, 'one.json'), '100 points': join(work, 'hundred.json') };
  writeFileSync(bodies['1 point'], JSON.stringify({ data: sampleDataPoints(1, 1)[0] }));
  writeFileSync(bodies['100 points'], JSON.stringify({ data: sampleDataPoints(100, 2) }));

  const node = (script: string, env: NodeJS.ProcessEnv) => () =>
    spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'ignore' });
  const rallyServer = (store: string, port: number) =>
    node(join(ROOT, 'packages/serve/src/main.ts'), { PORT: String(port), WORKERS: String(WORKERS), MODEL_STORE: store, CACHE_DIR: join(work, `cache-${port}`), LOG_LEVEL: 'silent', POLL_INTERVAL_SECONDS: '0' });
  const rows = [
    await measure('rally', rallyServer(stores.defaults, 8101), 8101, bodies),
    await measure("rally, original's settings", rallyServer(stores.original, 8105), 8105, bodies),
    await measure(
      'original (Flask + sklearn, gunicorn -w 2)',
      () =>
        spawn('/usr/bin/gunicorn', ['-w', '2', '-b', '127.0.0.1:8102', '--chdir', REFERENCE, '--log-level', 'warning', 'flask_app:app'], {
          env: { ...process.env, DATA_CSV: GROUND_TRUTH_PATH, SPLIT_JSON: splitFile, TREES: String(TREES), MAX_DEPTH: String(MAX_DEPTH), PYTHONPATH: REFERENCE },
          stdio: 'ignore',
        }),
      8102,
      bodies,
    ),
    await measure('ceiling (Fastify constant, 1 process)', node(join(REFERENCE, 'constant-server.ts'), { PORT: '8103', WORKERS: '1' }), 8103, bodies),
  ];
  if (WORKERS > 1) {
    rows.push(await measure(`ceiling (Fastify constant, ${WORKERS} processes)`, node(join(REFERENCE, 'constant-server.ts'), { PORT: '8104', WORKERS: String(WORKERS) }), 8104, bodies));
  }
  const [rally, rallyOriginal, original, ...ceilings] = rows;
  const f = (x: number, digits = 0) => x.toFixed(digits);
  const lines = [
    `bench:serve — wrk -t1 -c${CONNECTIONS} -d${DURATION}s on loopback; rally WORKERS=${WORKERS}`,
    `rally: the default model (${formatSettings(TRAIN_DEFAULTS)}); rally, original's settings and the original: ${formatSettings(originalParams)}`,
    machineLine(),
    '',
    '| server | body | req/s | p50 ms | p99 ms | errors | RSS MB |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    for (const [label, r] of Object.entries(row.results)) lines.push(`| ${row.name} | ${label} | ${f(r.rps)} | ${f(r.p50, 2)} | ${f(r.p99, 2)} | ${r.errors} | ${f(row.rss)} |`);
  }
  lines.push('');
  for (const label of Object.keys(bodies)) {
    const ours = rally.results[label];
    const shares = ceilings.map((ceiling) => `${f((100 * ours.rps) / ceiling.results[label].rps)}% of the ${ceiling.name.replace(/^ceiling \(Fastify constant, (.*)\)$/, '$1')} ceiling`).join(', ');
    const before = rallyOriginal.results[label];
    lines.push(
      `${label}: rally = ${shares}; ${f(ours.rps / original.results[label].rps, 1)}x the original; p99 ${f(ours.p99, 2)} ms; ` +
        `${(ours.rps / before.rps).toFixed(2)}x the throughput of rally serving the original's settings (${f(before.rps)} req/s, p99 ${f(before.p99, 2)} ms)`,
    );
  }
  console.log(lines.join('\n'));
}

await main();
