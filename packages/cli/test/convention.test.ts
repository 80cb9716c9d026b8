// @module-tag e2e
/**
 * The convention every command follows, checked on real processes as a user runs them: --help and
 * --version everywhere, one sentence with a "did you mean" for a typo, exit codes 0/1/2 (also
 * through pnpm), --json as one document, colour only on a terminal and never with NO_COLOR.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { examplePoint } from '@rally/features';
import { storeWithProduction } from '@rally/model-fixtures';
import { GROUND_TRUTH_PATH, RALLY_SOURCE, REPO_ROOT, SOURCE_NODE_ARGS, tempDir } from '@rally/testkit';
import { colourEnabled, editDistance, suggest } from '../src/convention.ts';
import { VERSION } from '../src/index.ts';
import { cleanEnv, runCli, runMain, spawnCollect } from './helpers.ts';

const COMMANDS = ['validate', 'train', 'deploy', 'predict', 'features', 'sample', 'compare', 'serve', 'start'];
const ESC = '\x1b[';

let env: NodeJS.ProcessEnv;
let invalidCsv: string;
beforeAll(async () => {
  const { root } = await storeWithProduction();
  env = cleanEnv({ MODEL_STORE: root, CACHE_DIR: tempDir('cache') });
  const lines = readFileSync(GROUND_TRUTH_PATH, 'utf8').split('\n').slice(0, 50);
  lines[3] = lines[3].replace(/^(\d+),(\d+),([A-Z]),/, '$1,$2,Z,');
  invalidCsv = join(tempDir('invalid'), 'invalid.csv');
  writeFileSync(invalidCsv, lines.join('\n'));
}, 60_000);

describe.concurrent('--help and --version on every command (real processes)', () => {
  it.each(COMMANDS)('rally %s --help prints its usage on stdout (exit 0); --version the version', async (command) => {
    const help = await runCli([command, '--help'], env);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(new RegExp(`^Usage: rally ${command} `));
    expect(help.stdout).toContain('-h, --help');
    expect(help.stdout).not.toContain(ESC);
    expect(help.stderr).toBe('');
    const version = await runCli([command, '--version'], env);
    expect(version).toMatchObject({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it('rally --help lists every command; a bare rally is bad usage with the help on stderr', async () => {
    const help = await runCli(['--help'], env);
    expect(help.code).toBe(0);
    for (const command of COMMANDS) expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect(help.stdout).toMatch(/Exit codes: 0 done; 1 .*; 2 bad usage or unreadable input\./);
    const bare = await runCli([], env);
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe('');
    expect(bare.stderr).toMatch(/^Usage: rally /);
  });

  it('serve --help lists every setting and does not start a server', async () => {
    const help = await runCli(['serve', '--help'], env);
    expect(help.code).toBe(0);
    for (const name of ['PORT', 'HOST', 'MODEL_STORE', 'WORKERS', 'CACHE_DIR']) expect(help.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
  });
});

describe('a typo: one sentence, a suggestion, where the help is (exit 2)', () => {
  it.each([
    [['train', '--depth', '5'], 'Unknown option --depth for rally train; did you mean --max-depth? See rally train --help.'],
    [['predict', '--probas'], 'Unknown option --probas for rally predict; did you mean --proba? See rally predict --help.'],
    [['deploy', '--rollbak'], 'Unknown option --rollbak for rally deploy; did you mean --rollback? See rally deploy --help.'],
    [['trian'], 'Unknown command trian; did you mean train? See rally --help.'],
    [['sample', '--bogus'], 'Unknown option --bogus for rally sample. See rally sample --help.'],
    [['--jsno'], 'Unknown option --jsno for rally. See rally --help.'],
    [['train', '--depth=4'], 'Unknown option --depth for rally train; did you mean --max-depth? See rally train --help.'],
    [['train', '--n-estimators', '50'], 'Unknown option --n-estimators for rally train; did you mean --trees? See rally train --help.'],
    [['predict', '--probability'], 'Unknown option --probability for rally predict; did you mean --proba? See rally predict --help.'],
    [['predict', '--cache'], 'Unknown option --cache for rally predict. See rally predict --help.'],
    [['sample', '--n', '5'], 'Unknown option --n for rally sample; did you mean -n? See rally sample --help.'],
    [['sample', '-n'], '--count needs a value (-n, --count <n>). See rally sample --help.'],
    [['-v'], 'Unknown option -v for rally; did you mean -V? See rally --help.'],
  ])('%j', async (args, sentence) => {
    const result = await runCli(args, env);
    expect(result).toEqual({ code: 2, stdout: '', stderr: `${sentence}\n` });
  });

  it('suggests by edit distance or by a contained word, and nothing when nothing is close', () => {
    expect(editDistance('--tres', '--trees')).toBe(1);
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(suggest('--depth', ['--max-depth', '--trees'])).toBe('--max-depth');
    expect(suggest('--seeds', ['--seed', '--trees'])).toBe('--seed');
    expect(suggest('--features', ['--max-features', '--trees'])).toBe('--max-features');
    expect(suggest('--zzz', ['--max-depth', '--trees'])).toBeUndefined();
    expect(suggest('--', ['--max-depth'])).toBeUndefined();
  });
});

describe('help, --, .env and closed pipes (real processes)', () => {
  it('rally help train is rally train --help; rally help is rally --help', async () => {
    const [help, train, root] = await Promise.all([runCli(['help', 'train'], env), runCli(['train', '--help'], env), runCli(['help'], env)]);
    expect(help).toEqual(train);
    expect(root.code).toBe(0);
    expect(root.stdout).toMatch(/^Usage: rally \[options\] \[command\]/);
  });

  it('-- ends the options (a file named like a flag); pnpm\'s extra -- after the command is dropped', async () => {
    const file = await runMain(['validate', '--', '-points.csv'], env);
    expect(file.code).toBe(2);
    expect(file.stderr).toMatch(/No such file: .*-points\.csv\./);
    const viaPnpm = await runMain(['train', '--', '--bogus'], { ...env, npm_lifecycle_event: 'train' });
    expect(viaPnpm.stderr.trim()).toBe('Unknown option --bogus for rally train. See rally train --help.');
  });

  it('--help and --version never need a readable .env; the command itself does', async () => {
    const broken = { ...env, ENV_FILE: join(tempDir('env'), 'missing.env') };
    expect((await runMain(['predict', '--help'], broken)).code).toBe(0);
    expect((await runMain(['serve', '--version'], broken)).code).toBe(0);
    const deploy = await runMain(['deploy', '--list'], broken);
    expect(deploy.code).toBe(2);
    expect(deploy.stderr).toMatch(/^ENV_FILE must name a file that can be read, got ".*missing\.env" \(ENOENT\)\./);
  });

  it('a reader that closes the pipe early (| head) ends it quietly, no stack trace', async () => {
    const rally = [process.execPath, ...SOURCE_NODE_ARGS, RALLY_SOURCE].map((word) => `'${word}'`).join(' ');
    const result = await spawnCollect('bash', ['-c', `set -o pipefail; ${rally} sample -n 5000 | head -c 100 > /dev/null`], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('values out of range or empty are bad usage; an output that cannot be written is a failed job', async () => {
    expect((await runMain(['sample', '-n', '9007199254740991', '--synthetic'], env)).stderr.trim()).toBe('--count must be at most 1000000, got 9007199254740991. See rally sample --help.');
    expect((await runMain(['sample', '-o', ''], env)).code).toBe(2);
    const file = join(tempDir('not-a-folder'), 'file');
    writeFileSync(file, 'x');
    const train = await runMain(['train', '--output', join(file, 'runs'), '--trees', '2', '--json'], env);
    expect(train.code).toBe(1);
    expect(JSON.parse(train.stdout).error).toMatchObject({ code: 'CLI_OUTPUT', message: `Cannot write the run to ${join(file, 'runs')} (ENOTDIR).` });
  });
});

describe('exit codes: the README table, on real processes', () => {
  const cases: [string, () => string[], number, string?][] = [
    ['done', () => ['validate', GROUND_TRUTH_PATH], 0],
    ['done', () => ['sample', '-n', '2'], 0],
    ['done', () => ['predict'], 0, JSON.stringify(examplePoint())],
    ['the data is invalid', () => ['validate', invalidCsv], 1],
    ['a point breaks the contract', () => ['predict'], 1, JSON.stringify({ ...examplePoint(), speed: 'fast' })],
    ['the job failed (no such run)', () => ['deploy', 'ffffff'], 1],
    ['bad usage', () => ['train', '--trees', 'many'], 2],
    ['unreadable input (not JSON)', () => ['predict'], 2, '{"speed": '],
    ['unreadable input (no such file)', () => ['validate', '/nonexistent.csv'], 2],
    ['a bad setting', () => ['serve'], 2],
  ];
  it.each(cases)('%s → %#', async (_label, args, code, input) => {
    const result = await runCli(args(), { ...env, PORT: 'eighty' }, input);
    expect(result.code, result.stderr).toBe(code);
    if (code !== 0) expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('a port already in use: one sentence naming it, exit 2', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const result = await runCli(['serve'], { ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'silent', POLL_INTERVAL_SECONDS: '0' });
      expect(result.code).toBe(2);
      expect(result.stderr.trim()).toBe(`Cannot listen on 127.0.0.1:${port}: it is already in use (EADDRINUSE); set PORT or HOST (--port, --host).`);
    } finally {
      taken.close();
    }
  });

  it('rally serve --port N --host H serves on N, over PORT and HOST, and logs where the port came from', async () => {
    const free = createServer();
    await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
    const { port } = free.address() as AddressInfo;
    await new Promise((resolve) => free.close(resolve));
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [...SOURCE_NODE_ARGS, RALLY_SOURCE, 'serve', '--port', String(port), '--host', '127.0.0.1'], {
      cwd: REPO_ROOT,
      env: { ...env, PORT: '1', HOST: '0.0.0.0', LOG_FORMAT: 'json', LOG_LEVEL: 'info', POLL_INTERVAL_SECONDS: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let logs = '';
    child.stdout.on('data', (chunk) => (logs += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      let live: Response | undefined;
      for (let i = 0; i < 150 && !live; i++) {
        live = await fetch(`http://127.0.0.1:${port}/health/live`).catch(() => undefined);
        if (!live) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(live?.status).toBe(200);
      const configuration = logs.split('\n').filter(Boolean).map((line) => JSON.parse(line)).find((line) => line.msg === 'configuration');
      expect(configuration.config).toMatchObject({ PORT: `${port} (--port)`, HOST: '127.0.0.1 (--host)' });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it.each([
    [['serve', '--port', 'eighty'], '--port must be an integer from 0 to 65535, got "eighty".'],
    [['serve', '--port', '70000'], '--port must be an integer from 0 to 65535, got "70000".'],
    [['start', '--host', 'not a host!'], '--host must be an IP address or a host name, got "not a host!".'],
    [['serve', '--port', ' '], '--port needs a value.'],
  ])('%j: exit 2, the flag named', async (args, message) => {
    const result = await runMain(args, { ...env, PORT: '8000' });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(message);
  });

  it('the README documents the same table', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    expect(readme).toMatch(/\| 0 \| done/);
    expect(readme).toMatch(/\| 1 \| the job failed/);
    expect(readme).toMatch(/\| 2 \| bad usage or unreadable input/);
  });
});

describe('--json: exactly one JSON document on stdout, success or failure', () => {
  it.each([
    [['validate', GROUND_TRUTH_PATH, '--json'], 0],
    [['validate', '/nonexistent.csv', '--json'], 2],
    [['predict', '--json'], 0, JSON.stringify([examplePoint(), examplePoint()])],
    [['predict', '--json', '--proba'], 0, JSON.stringify(examplePoint())],
    [['predict', '--json'], 1, '{"speed": 1}'],
    [['features', '--json'], 0, JSON.stringify(examplePoint())],
    [['deploy', '--list', '--json'], 0],
    [['train', '--json', '--bogus'], 2],
    [['sample', '-n', '3'], 0],
  ])('%j (exit %i)', async (args, code, input?: string) => {
    const result = await runCli(args, env, input);
    expect(result.code, result.stderr).toBe(code);
    const document = JSON.parse(result.stdout);
    if (code !== 0) expect(document.error).toMatchObject({ code: expect.any(String), message: expect.stringMatching(/\.$/) });
  });
});

describe('colour: only on a terminal, never with NO_COLOR', () => {
  /** Runs a command line on a pseudo-terminal (util-linux script), stdout and stderr merged. */
  const onTerminal = (args: string[], extra: Record<string, string> = {}) => {
    const command = [process.execPath, ...SOURCE_NODE_ARGS, RALLY_SOURCE, ...args].map((word) => `'${word}'`).join(' ');
    return spawnCollect('script', ['-qec', command, '/dev/null'], { ...env, TERM: 'xterm', ...extra });
  };

  it('help and errors are coloured on a terminal', async () => {
    const help = await onTerminal(['train', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain(`${ESC}1mUsage:`);
    const typo = await onTerminal(['train', '--depth', '5']);
    expect(typo.code).toBe(2);
    expect(typo.stdout).toContain(`${ESC}31mUnknown option --depth`);
  });

  it('NO_COLOR turns it off on a terminal; a pipe never has it', async () => {
    const help = await onTerminal(['train', '--help'], { NO_COLOR: '1' });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: rally train');
    expect(help.stdout).not.toContain(ESC);
    const piped = await runCli(['train', '--depth', '5'], env);
    expect(piped.stderr).not.toContain(ESC);
  });

  it('decides per stream: a terminal, NO_COLOR unset or empty (no-color.org), TERM not dumb', () => {
    const tty = { isTTY: true };
    expect(colourEnabled(tty, {})).toBe(true);
    expect(colourEnabled(tty, { NO_COLOR: '' })).toBe(true);
    expect(colourEnabled(tty, { NO_COLOR: '1' })).toBe(false);
    expect(colourEnabled(tty, { TERM: 'dumb' })).toBe(false);
    expect(colourEnabled({ isTTY: false }, {})).toBe(false);
    expect(colourEnabled({}, {})).toBe(false);
  });
});

describe('through pnpm, as the README says (built code)', () => {
  const pnpm = (args: string[], input?: string) => spawnCollect('pnpm', args, env, input);

  it('echo <a ground-truth point> | pnpm exec rally predict prints its label', async () => {
    const result = await pnpm(['exec', 'rally', 'predict'], JSON.stringify(examplePoint()));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^(W|FE|UE)\n$/);
  });

  it('the root scripts keep the exit codes: 0, 1 and 2', async () => {
    const runs = await Promise.all([
      pnpm(['--silent', 'run', 'validate', GROUND_TRUTH_PATH]),
      pnpm(['--silent', 'run', 'validate', invalidCsv]),
      pnpm(['--silent', 'run', 'train', '--depth', '5']),
    ]);
    expect(runs.map((run) => run.code)).toEqual([0, 1, 2]);
    expect(runs[2].stderr.split('\n')[0]).toBe('Unknown option --depth for rally train; did you mean --max-depth? See rally train --help.');
  });

  it('pnpm --filter perf-benchmark start runs rally compare', async () => {
    const result = await pnpm(['--filter', 'perf-benchmark', '--silent', 'start', '--', '--help']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Usage: rally compare /);
  });
});

it('the built bin prints the same version as the sources', () => {
  expect(execFileSync(process.execPath, [join(REPO_ROOT, 'packages/cli/bin/rally.js'), '--version'], { encoding: 'utf8' })).toBe(`${VERSION}\n`);
});
