/**
 * The reliability harness: real server processes (started as a user starts them, in their own
 * process group) and bounded HTTP load from this process (processes and ports: testkit). Traffic goes to 127.0.0.1 only; every loop is bounded in count and time;
 * processes are stopped by pid or process group, never by name.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort, groupMembers, REPO_ROOT, SOURCE_NODE_ARGS } from '@rally/testkit';

export interface ServerProcess {
  child: ChildProcess;
  /** The spawned process's pid, also its process group id. */
  pid: number;
  port: number;
  base: string;
  /** stdout and stderr so far. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends a signal to the spawned process, or to its whole process group. */
  signal(signal: NodeJS.Signals, target?: 'process' | 'group'): void;
  /** SIGKILLs whatever is left of the process group (cleanup). */
  destroy(): Promise<void>;
}

export interface StartOptions {
  /**
   * How the user starts it: `pnpm serve` from the workspace root (default), node on the source
   * entry file, or node on the built server of a production install (`{ installDir }`: the
   * Dockerfile's command, run in that folder).
   */
  command?: 'pnpm serve' | 'node' | { installDir: string };
  env?: NodeJS.ProcessEnv;
  port?: number;
  /** Wait until /health/ready answers 200 (default: a model is loaded; the server listens before), or /health/live. */
  waitFor?: 'ready' | 'live';
  timeoutMs?: number;
}

const started: ServerProcess[] = [];

/** Starts the server in its own process group, on 127.0.0.1. */
export async function startServerProcess(options: StartOptions = {}): Promise<ServerProcess> {
  const port = options.port ?? (await freePort());
  const env = { ...process.env, HOST: '127.0.0.1', PORT: String(port), POLL_INTERVAL_SECONDS: '1', NO_COLOR: '1', ...options.env };
  const command = options.command ?? 'pnpm serve';
  const [file, args, cwd] =
    command === 'pnpm serve'
      ? ['pnpm', ['serve'], REPO_ROOT]
      : command === 'node'
        ? [process.execPath, [...SOURCE_NODE_ARGS, `${REPO_ROOT}packages/cli/src/run.ts`, 'serve'], REPO_ROOT]
        : [process.execPath, ['--max-semi-space-size=4', 'bin/rally.js', 'serve'], command.installDir];
  const child = spawn(file, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const pid = child.pid!;
  const server: ServerProcess = {
    child,
    pid,
    port,
    base: `http://127.0.0.1:${port}`,
    output: () => output,
    exited,
    signal(signal, target = 'process') {
      process.kill(target === 'group' ? -pid : pid, signal);
    },
    async destroy() {
      for (const member of groupMembers(pid)) {
        try {
          process.kill(member, 'SIGKILL');
        } catch {
          // gone
        }
      }
      if (child.exitCode === null && child.signalCode === null) await Promise.race([exited, delay(2000)]);
    },
  };
  started.push(server);
  const waitFor = options.waitFor ?? 'ready';
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) before listening: ${output}`);
    if (Date.now() > deadline) throw new Error(`the server did not answer /health/${waitFor} within ${options.timeoutMs ?? 60_000} ms: ${output}`);
    try {
      if ((await fetch(`${server.base}/health/${waitFor}`, { signal: AbortSignal.timeout(1000) })).ok) return server;
    } catch {
      // not yet
    }
    await delay(100);
  }
}

/** Kills every server this process started (for afterAll/afterEach). */
export async function stopAllServers(): Promise<void> {
  await Promise.all(started.splice(0).map((server) => server.destroy()));
}

export interface LoadResult {
  ok: number;
  failed: number;
  /** Status code (or error code) → count, for everything that was not a 2xx. */
  failures: Record<string, number>;
  latenciesMs: number[];
}

export interface LoadOptions {
  url: string;
  body: string;
  connections: number;
  durationMs: number;
  /** Stop early after this many requests in all (default: no limit but the duration). */
  maxRequests?: number;
  /** Per-request timeout (default 10 s): a request that takes longer counts as failed. */
  timeoutMs?: number;
}

/** POSTs `body` over `connections` keep-alive connections for `durationMs`: counts and latencies. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const result: LoadResult = { ok: 0, failed: 0, failures: {}, latenciesMs: [] };
  const deadline = Date.now() + options.durationMs;
  const limit = options.maxRequests ?? Infinity;
  let sent = 0;
  const once = () =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      const request = http.request(options.url, {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(options.body) },
        timeout: options.timeoutMs ?? 10_000,
      });
      const fail = (why: string) => {
        result.failed++;
        result.failures[why] = (result.failures[why] ?? 0) + 1;
        resolve();
      };
      request.on('response', (response) => {
        response.resume();
        response.on('end', () => {
          result.latenciesMs.push(performance.now() - started);
          if (response.statusCode! >= 200 && response.statusCode! < 300) {
            result.ok++;
            resolve();
          } else fail(String(response.statusCode));
        });
        response.on('error', (error: NodeJS.ErrnoException) => fail(error.code ?? 'response error'));
      });
      request.on('timeout', () => request.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
      request.on('error', (error: NodeJS.ErrnoException) => fail(error.code ?? error.message));
      request.end(options.body);
    });
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (Date.now() < deadline && sent < limit) {
        sent++;
        await once();
      }
    }),
  );
  agent.destroy();
  return result;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** One HTTP exchange on a raw socket (for requests fetch cannot send): status line, headers, body. */
export async function rawRequest(port: number, request: string, timeoutMs = 5000): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within ${timeoutMs} ms: ${JSON.stringify(received.slice(0, 200))}`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      const [head, ...rest] = received.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), headers: head, body: rest.join('\r\n\r\n') });
    });
    socket.end(request);
  });
}
