/**
 * pnpm bench:serve — loads real servers with wrk (loopback only, bounded runs) and prints req/s,
 * p50/p99 latency, errors and server RSS for one-point and 100-point bodies, side by side:
 *   rally            this repository's built server (WORKERS processes, `node bin/rally.js serve` as
 *                    `pnpm serve` and the container run it) serving the `pnpm train` default model
 *   rally, 1 process the same with WORKERS=1, against the one-process ceiling (issue 28's targets)
 *   rally from the sources  the same server run from its TypeScript sources, Node stripping the
 *                    types (how `pnpm dev` runs it)
 *   rally, original's settings  the same server with a model of the original's settings (100 trees,
 *                    max depth 20, sqrt features): what it served before the defaults were tuned
 *   original         Flask + scikit-learn under gunicorn with 2 workers (bench/reference/flask_app.py)
 *   ceiling          Fastify answering a constant on the same route: one process (the brief's ceiling)
 *                    and, when WORKERS > 1, as many processes as rally
 * Needs Debian's wrk, gunicorn, python3-flask, python3-sklearn (installed if missing).
 * Then the memory target: one built server process (WORKERS=1), with and without the cap, and one run from the sources, each sent
 * 10,000 one-point requests (16 at a time), their RSS read 5 s after the load.
 * Then AB_ROUNDS (3) interleaved rounds of the built server, the built server without the young-
 * generation cap, and the sources, both bodies: medians say more than one run here.
 * Options (env): DURATION (10 s), CONNECTIONS (50), WORKERS (2); TREES (100) and MAX_DEPTH (20) of
 * the original's settings (both the Flask reference and the second rally row).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { GROUND_TRUTH_PATH, sampleDataPoints } from '@rally/features';
import { loadDataset } from '@rally/features/dataset';
import { deployRun, LocalFolderStore } from '@rally/model-store';
import { writeRun } from '@rally/model';
import { rssMb, SOURCE_NODE_ARGS, tempDir } from '@rally/testkit';
import { formatSettings, TRAIN_DEFAULTS, trainRun } from '@rally/train';
import { DEFAULT_PARAMS } from '@rally/forest';
import { ensureDebianPackages, writeReferenceSplit } from './lib/reference.ts';
import { machineLine, median } from './lib/timing.ts';

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

function wrk(port: number, bodyFile: string, seconds = DURATION): WrkResult {
  const out = execFileSync('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', '-s', join(REFERENCE, 'post.lua'), `http://127.0.0.1:${port}/predict`], {
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

const AB_ROUNDS = Number(process.env.AB_ROUNDS ?? 3);
const LOAD_REQUESTS = 10_000;
const LOAD_CONCURRENCY = 16;

/** Starts a server, sends LOAD_REQUESTS one-point requests (LOAD_CONCURRENCY at a time, keep-alive), and reads its RSS before, right after and 5 s after. */
async function memoryAfterLoad(start: () => ChildProcess, port: number, bodyFile: string) {
  const child = start();
  try {
    await waitForPort(port, child);
    for (let i = 0; i < 300 && !(await fetch(`http://127.0.0.1:${port}/health/ready`)).ok; i++) await delay(100);
    const ready = rssMb(child.pid!);
    const body = readFileSync(bodyFile, 'utf8');
    let sent = 0;
    let failed = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: LOAD_CONCURRENCY }, async () => {
        while (sent < LOAD_REQUESTS) {
          sent += 1;
          const response = await fetch(`http://127.0.0.1:${port}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
          await response.arrayBuffer();
          if (!response.ok) failed += 1;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    if (failed > 0) throw new Error(`${failed} of ${LOAD_REQUESTS} requests failed`);
    const afterLoad = rssMb(child.pid!);
    await delay(5000);
    return { ready, afterLoad, settled: rssMb(child.pid!), rps: LOAD_REQUESTS / seconds };
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
  writeReferenceSplit(Array.from(loadDataset(GROUND_TRUTH_PATH).batch.columns.outcome as Iterable<string>), splitFile);

  const bodies = { '1 point': join(work, 'one.json'), '100 points': join(work, 'hundred.json') };
  writeFileSync(bodies['1 point'], JSON.stringify({ data: sampleDataPoints(1, 1)[0] }));
  writeFileSync(bodies['100 points'], JSON.stringify({ data: sampleDataPoints(100, 2) }));

  execFileSync(process.execPath, [join(ROOT, 'scripts/ensure-built.mjs')], { stdio: 'inherit' });
  const node = (script: string, env: NodeJS.ProcessEnv, args: readonly string[] = SOURCE_NODE_ARGS) => () =>
    spawn(process.execPath, [...args, script, 'serve'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'ignore' });
  const serverEnv = (store: string, port: number, workers = WORKERS) => ({
    PORT: String(port),
    WORKERS: String(workers),
    MODEL_STORE: store,
    CACHE_DIR: join(work, `cache-${port}`),
    LOG_LEVEL: 'silent',
    POLL_INTERVAL_SECONDS: '0',
    ENV_FILE: join(work, 'no.env'),
  });
  writeFileSync(join(work, 'no.env'), '');
  // The built server as `pnpm serve` and the container start it; the sources as `pnpm dev` does.
  const built = (store: string, port: number, workers = WORKERS, flags: readonly string[] = ['--max-semi-space-size=4']) =>
    node(join(ROOT, 'packages/cli/bin/rally.js'), serverEnv(store, port, workers), flags);
  const rallyServer = (store: string, port: number, workers = WORKERS) => node(join(ROOT, 'packages/cli/src/run.ts'), serverEnv(store, port, workers));
  const rows = [
    await measure('rally', built(stores.defaults, 8101), 8101, bodies),
    await measure('rally, 1 process', built(stores.defaults, 8113, 1), 8113, bodies),
    await measure('rally from the sources', rallyServer(stores.defaults, 8106), 8106, bodies),
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
  const [rally, rallyOneProcess, , rallyOriginal, original, ...ceilings] = rows;
  // Interleaved rounds: on this VM one 10 s run can differ from the next by 20%, so the build's effect
  // (against the same code run from the sources) and the young-generation cap's (against the built server
  // with V8's default) are read from the medians of alternating short runs, for both bodies.
  const variants = [
    { name: 'built', start: () => built(stores.defaults, 8109), port: 8109 },
    { name: 'built, no cap', start: () => built(stores.defaults, 8111, WORKERS, []), port: 8111 },
    { name: 'from the sources', start: () => rallyServer(stores.defaults, 8110), port: 8110 },
  ];
  const rounds = new Map<string, number[]>(variants.flatMap((variant) => Object.keys(bodies).map((label) => [`${variant.name}|${label}`, []])));
  for (let round = 0; round < AB_ROUNDS; round += 1) {
    for (const variant of variants) {
      const child = variant.start()();
      try {
        await waitForPort(variant.port, child);
        for (const [label, file] of Object.entries(bodies)) {
          wrk(variant.port, file, 2);
          rounds.get(`${variant.name}|${label}`)!.push(wrk(variant.port, file, 6).rps);
        }
      } finally {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
    }
  }
  const memory = [
    { name: 'rally (node --max-semi-space-size=4 bin/rally.js serve)', ...(await memoryAfterLoad(built(stores.defaults, 8107, 1), 8107, bodies['1 point'])) },
    { name: 'rally (node bin/rally.js serve, no cap)', ...(await memoryAfterLoad(built(stores.defaults, 8112, 1, []), 8112, bodies['1 point'])) },
    { name: 'rally from the sources', ...(await memoryAfterLoad(rallyServer(stores.defaults, 8108, 1), 8108, bodies['1 point'])) },
  ];
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
  // Issue 28's targets: one rally process against the one-process ceiling (the same Fastify, a constant answer).
  const share = (label: string) => (100 * rallyOneProcess.results[label].rps) / ceilings[0].results[label].rps;
  lines.push(
    '',
    `One process against the one-process ceiling: 100 points ${f(share('100 points'))}% (target 50% or more: ${share('100 points') >= 50 ? 'met' : 'missed'}), ` +
      `1 point ${f(share('1 point'))}% (target 80% or more: ${share('1 point') >= 80 ? 'met' : 'missed'})`,
  );
  lines.push('', `Interleaved rounds (${AB_ROUNDS}, wrk 6 s each after 2 s of warm-up), req/s, median first:`, '', '| server | body | median | rounds | ÷ built |', '|---|---|---:|---|---:|');
  for (const label of Object.keys(bodies)) {
    const reference = median(rounds.get(`built|${label}`)!);
    for (const variant of variants) {
      const values = rounds.get(`${variant.name}|${label}`)!;
      lines.push(`| ${variant.name} | ${label} | ${f(median(values))} | ${values.map((v) => f(v)).join(', ')} | ${(median(values) / reference).toFixed(2)} |`);
    }
  }
  lines.push('', `Memory of one server process (WORKERS=1), ${LOAD_REQUESTS} one-point requests, ${LOAD_CONCURRENCY} at a time; target RSS <= 100 MB 5 s after:`, '');
  lines.push('| server | RSS ready MB | RSS after load MB | RSS 5 s after MB | req/s | target |', '|---|---:|---:|---:|---:|---|');
  for (const row of memory) {
    lines.push(`| ${row.name} | ${f(row.ready)} | ${f(row.afterLoad)} | ${f(row.settled)} | ${f(row.rps)} | ${row.settled <= 100 ? 'met' : 'not met'} |`);
  }
  console.log(lines.join('\n'));
}

await main();
