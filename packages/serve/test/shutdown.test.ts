// @module-tag unit
/**
 * Signals and the cluster primary, in process: signals are emitted on `process`, process.exit is
 * caught, and the primary's workers are stand-ins (cluster.fork replaced), so what an operator sees
 * (exit codes, log lines, restarts, giving up) is checked without forking anything.
 */
import cluster, { type Worker } from 'node:cluster';
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { configFromEnv } from '../src/config.ts';
import { closeOnSignals, serve } from '../src/server.ts';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
let before: Map<string, Function[]>;
let exit: ReturnType<typeof vi.spyOn>;

beforeEach(() => {
  before = new Map([...SIGNALS, 'exit'].map((name) => [name, name === 'exit' ? cluster.listeners('exit') : process.listeners(name as NodeJS.Signals)]));
  exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
});

afterEach(() => {
  // Only the listeners a test added go: the test runner's own stay.
  for (const signal of SIGNALS) for (const listener of process.listeners(signal)) if (!before.get(signal)!.includes(listener)) process.off(signal, listener as never);
  for (const listener of cluster.listeners('exit')) if (!before.get('exit')!.includes(listener)) cluster.off('exit', listener as never);
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const signal = (name: NodeJS.Signals) => process.emit(name, name);
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('closeOnSignals', () => {
  it.each(SIGNALS)('on %s closes, then exits 0', async (name) => {
    let finish!: () => void;
    const close = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    closeOnSignals(close, { graceMs: 60_000 });
    signal(name);
    expect(close).toHaveBeenCalledTimes(1);
    await settle();
    expect(exit).not.toHaveBeenCalled(); // in-flight requests still finishing
    finish();
    await settle();
    expect(exit).toHaveBeenCalledWith(0);
  });

  it('after the grace time closes what is left, saying so, and still exits 0 once closed', async () => {
    vi.useFakeTimers();
    let finish!: () => void;
    const force = vi.fn();
    const log = vi.fn();
    closeOnSignals(() => new Promise<void>((resolve) => (finish = resolve)), { graceMs: 8000, force, log });
    signal('SIGTERM');
    vi.advanceTimersByTime(7999);
    expect(force).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(force).toHaveBeenCalledTimes(1);
    expect(log).toHaveBeenCalledWith('Requests still open after the 8 s grace time: closing their connections.');
    finish();
    await vi.runAllTimersAsync();
    expect(exit).toHaveBeenCalledWith(0);
  });

  it('ignores the same signal relayed within a second; a later one exits 1 at once', async () => {
    vi.useFakeTimers();
    const close = vi.fn(() => new Promise<void>(() => undefined));
    const log = vi.fn();
    closeOnSignals(close, { graceMs: 60_000, log });
    signal('SIGTERM');
    vi.advanceTimersByTime(999);
    signal('SIGINT');
    expect(close).toHaveBeenCalledTimes(1);
    expect(log).not.toHaveBeenCalled();
    expect(exit).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    signal('SIGINT');
    expect(log).toHaveBeenCalledWith('SIGINT again: exiting now.');
    expect(exit).toHaveBeenCalledWith(1);
  });

  it('exits 1 and says why when closing fails', async () => {
    const log = vi.fn();
    closeOnSignals(() => Promise.reject(new Error('socket stuck')), { graceMs: 60_000, log });
    signal('SIGTERM');
    await settle();
    expect(log).toHaveBeenCalledWith('Shutdown failed: socket stuck');
    expect(exit).toHaveBeenCalledWith(1);
    expect(exit).not.toHaveBeenCalledWith(0);
  });

  it('works without a log or a force function', async () => {
    vi.useFakeTimers();
    closeOnSignals(() => new Promise<void>(() => undefined), { graceMs: 10 });
    signal('SIGTERM');
    vi.advanceTimersByTime(10);
    vi.advanceTimersByTime(2000);
    signal('SIGTERM');
    expect(exit).toHaveBeenCalledWith(1);
  });
});

/** A stand-in for a forked worker: killing it with SIGTERM makes it exit (as a real worker's shutdown does). */
class FakeWorker extends EventEmitter {
  static next = 1000;
  readonly id: number;
  readonly process: { pid: number; kill: ReturnType<typeof vi.fn> };
  readonly exitsOnTerm: boolean;
  constructor(exitsOnTerm = true) {
    super();
    this.exitsOnTerm = exitsOnTerm;
    this.id = FakeWorker.next++;
    this.process = {
      pid: this.id,
      kill: vi.fn((killSignal: string) => {
        if (killSignal === 'SIGTERM' && this.exitsOnTerm) setImmediate(() => this.die(0, null));
      }),
    };
  }

  die(code: number | null, killedBy: string | null): void {
    delete cluster.workers![this.id];
    this.emit('exit', code, killedBy);
    cluster.emit('exit', this as unknown as Worker, code, killedBy);
  }
}

/** Starts the primary over stand-in workers; returns them (as forked, replacements included) and its output lines. */
async function primary(env: NodeJS.ProcessEnv, exitsOnTerm = true) {
  const workers: FakeWorker[] = [];
  const fork = vi.spyOn(cluster, 'fork').mockImplementation(() => {
    const worker = new FakeWorker(exitsOnTerm);
    workers.push(worker);
    cluster.workers![worker.id] = worker as unknown as Worker;
    return worker as unknown as Worker;
  });
  const out: Record<string, unknown>[] = [];
  const err: Record<string, unknown>[] = [];
  const lines = (into: Record<string, unknown>[]) => (chunk: unknown) => {
    for (const line of String(chunk).split('\n').filter(Boolean)) into.push(JSON.parse(line));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(lines(out) as never);
  vi.spyOn(process.stderr, 'write').mockImplementation(lines(err) as never);
  const config = configFromEnv({ WORKERS: '3', SHUTDOWN_GRACE_SECONDS: '2', ...env }, { isTerminal: false });
  await serve(config);
  return { workers, fork, out, err, config };
}

describe('the cluster primary (WORKERS > 1)', () => {
  afterEach(() => {
    for (const id of Object.keys(cluster.workers ?? {})) delete cluster.workers![id];
  });

  it('logs its configuration once and forks WORKERS workers with the effective environment', async () => {
    const { fork, out, err, config } = await primary({ PORT: '9000' });
    expect(fork).toHaveBeenCalledTimes(3);
    for (const call of fork.mock.calls) expect(call[0]).toBe(config.env);
    expect(out).toEqual([{ level: 30, time: expect.any(Number), pid: process.pid, config: { PORT: '9000', WORKERS: '3', SHUTDOWN_GRACE_SECONDS: '2', MODEL_STORE: './store' }, msg: 'configuration' }]);
    expect(err).toEqual([]);
  });

  it('replaces a worker that dies, saying how it died', async () => {
    const { workers, fork, err } = await primary({});
    workers[0].die(1, null);
    workers[1].die(null, 'SIGKILL');
    expect(fork).toHaveBeenCalledTimes(5);
    expect(err.map((line) => [line.level, line.msg])).toEqual([
      [50, `Worker ${workers[0].id} died (exited with code 1); starting a new one.`],
      [50, `Worker ${workers[1].id} died (killed by SIGKILL); starting a new one.`],
    ]);
    expect(exit).not.toHaveBeenCalled();
  });

  it('gives up with exit 1 when workers die more than 5 times within a minute, killing the rest', async () => {
    vi.useFakeTimers();
    const { workers, fork, err } = await primary({});
    for (let i = 0; i < 5; i++) workers.at(-1)!.die(1, null);
    expect(exit).not.toHaveBeenCalled();
    expect(fork).toHaveBeenCalledTimes(8);
    const dying = workers.at(-1)!;
    const others = workers.filter((worker) => worker !== dying && cluster.workers![worker.id]);
    expect(others).toHaveLength(2);
    dying.die(1, null);
    expect(err[5]!.msg).toBe(`Worker ${dying.id} exited with code 1; workers died 6 times in 60 s, giving up.`);
    expect(exit).toHaveBeenCalledWith(1);
    for (const worker of others) expect(worker.process.kill).toHaveBeenCalledWith('SIGKILL');
    // Given up: the workers it killed are not replaced.
    for (const worker of others) worker.die(null, 'SIGKILL');
    expect(fork).toHaveBeenCalledTimes(8);
    expect(err).toHaveLength(6);
  });

  it('forgets deaths older than a minute', async () => {
    vi.useFakeTimers();
    const { workers, err } = await primary({});
    for (let i = 0; i < 5; i++) workers.at(-1)!.die(1, null);
    vi.advanceTimersByTime(60_001);
    for (let i = 0; i < 5; i++) workers.at(-1)!.die(1, null);
    expect(exit).not.toHaveBeenCalled();
    expect(err.every((line) => String(line.msg).endsWith('starting a new one.'))).toBe(true);
    // Exactly a minute later, a death still counts: the sixth within the window gives up.
    vi.advanceTimersByTime(60_000);
    workers.at(-1)!.die(1, null);
    expect(exit).toHaveBeenCalledWith(1);
  });

  it('on SIGTERM stops every worker, starts none, and exits 0 once they are gone', async () => {
    const { workers, fork } = await primary({});
    signal('SIGTERM');
    for (const worker of workers) expect(worker.process.kill).toHaveBeenCalledWith('SIGTERM');
    expect(exit).not.toHaveBeenCalled();
    await settle();
    await settle();
    expect(fork).toHaveBeenCalledTimes(3);
    expect(exit).toHaveBeenCalledWith(0);
  });

  it('kills the workers still alive a second after their own grace time', async () => {
    vi.useFakeTimers();
    const { workers, out } = await primary({}, false);
    signal('SIGTERM');
    vi.advanceTimersByTime(2999);
    for (const worker of workers) expect(worker.process.kill).not.toHaveBeenCalledWith('SIGKILL');
    vi.advanceTimersByTime(1);
    for (const worker of workers) expect(worker.process.kill).toHaveBeenCalledWith('SIGKILL');
    expect(out.at(-1)).toMatchObject({ level: 30, msg: 'Requests still open after the 3 s grace time: closing their connections.' });
  });

  it.each([
    ['warn', false, true],
    ['error', false, true],
    ['fatal', false, false],
    ['silent', false, false],
    ['debug', true, true],
  ])('at LOG_LEVEL=%s: information %s, failures %s', async (level, informs, fails) => {
    const { workers, out, err } = await primary({ LOG_LEVEL: level });
    workers[0].die(1, null);
    expect(out.length > 0).toBe(informs);
    expect(err.length > 0).toBe(fails);
  });
});
