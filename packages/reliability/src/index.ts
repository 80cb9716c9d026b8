/**
 * The reliability harness: real server processes (started as a user starts them, in their own
 * process group), bounded HTTP load from this process, and what the operating system says about
 * processes and ports. Traffic goes to 127.0.0.1 only; every loop is bounded in count and time;
 * processes are stopped by pid or process group, never by name.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { isProcessAlive } from '@rally/model';
import { REPO_ROOT } from '@rally/testkit';

/** A port nobody listens on right now (cluster workers share a fixed port, not port 0). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export async function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Whether a process exists (on this machine). */
export const pidAlive = isProcessAlive;

/** Pids of the live (not zombie) processes in process group `pgid` (Linux /proc). */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid pgrp ...: comm may hold spaces, so split after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') members.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return members;
}

/** Resident memory of a process and its descendants in MB (Linux /proc). */
export function rssMb(pid: number): number {
  let kb = 0;
  for (const member of [pid, ...descendants(pid)]) {
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${member}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // gone
    }
  }
  return kb / 1024;
}

function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0 && found.length < 1000) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

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
  /** How the user starts it: `pnpm serve` from the workspace root (default), or node on the entry file. */
  command?: 'pnpm serve' | 'node';
  env?: NodeJS.ProcessEnv;
  port?: number;
  /**
   * Wait until /health/ready answers 200 (default: a model is loaded; the server listens before),
   * until /health/live answers, or only until the process is spawned.
   */
  waitFor?: 'ready' | 'live' | 'spawn';
  timeoutMs?: number;
}

const started: ServerProcess[] = [];

/** Starts the server in its own process group, on 127.0.0.1. */
export async function startServerProcess(options: StartOptions = {}): Promise<ServerProcess> {
  const port = options.port ?? (await freePort());
  const env = { ...process.env, HOST: '127.0.0.1', PORT: String(port), POLL_INTERVAL_SECONDS: '1', NO_COLOR: '1', ...options.env };
  const [file, args] =
    (options.command ?? 'pnpm serve') === 'pnpm serve'
      ? ['pnpm', ['serve']]
      : [process.execPath, ['--import', 'tsx', `${REPO_ROOT}packages/serve/src/main.ts`]];
  const child = spawn(file, args as string[], { cwd: REPO_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
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
  if (waitFor !== 'spawn') {
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) before listening: ${output}`);
      if (Date.now() > deadline) throw new Error(`the server did not answer /health/${waitFor} within ${options.timeoutMs ?? 60_000} ms: ${output}`);
      try {
        if ((await fetch(`${server.base}/health/${waitFor}`, { signal: AbortSignal.timeout(1000) })).ok) break;
      } catch {
        // not yet
      }
      await delay(100);
    }
  }
  return server;
}

/** Kills every server this process started (for afterAll/afterEach). */
export async function stopAllServers(): Promise<void> {
  await Promise.all(started.splice(0).map((server) => server.destroy()));
}

/** Waits until `condition` holds, polling every `everyMs`, for at most `timeoutMs`; returns whether it held. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await delay(everyMs);
  }
  return condition();
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
