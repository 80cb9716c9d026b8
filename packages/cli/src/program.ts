/**
 * The `rally` program: one commander tree, the convention (convention.ts) applied to every
 * subcommand, and `main`, which never throws and returns the exit code. Commands load the packages
 * they wire only when they run, so `rally --help` starts in a blink.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { describeError, isRallyError, UsageError } from '@rally/errors';
import { colourEnabled, type Context, createContext, errorDocument, EXIT, exitCodeFor, type Io, suggest } from './convention.ts';
import { registerCompare } from './commands/compare.ts';
import { registerDeploy } from './commands/deploy.ts';
import { registerDrift } from './commands/drift.ts';
import { registerExport } from './commands/export.ts';
import { registerFeatures, registerPredict } from './commands/predict.ts';
import { registerSample } from './commands/sample.ts';
import { registerServe, registerStart } from './commands/serve.ts';
import { registerTrain } from './commands/train.ts';
import { registerValidate } from './commands/validate.ts';

export const VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

/** How a register function adds its subcommand: named, described, with --version, its action's code recorded. */
export interface Registrar {
  ctx: Context;
  command(name: string, summary: string): Command;
  /** Sets the command's action; its returned exit code becomes main's. */
  action<A extends unknown[]>(command: Command, run: (...args: A) => Promise<number>): void;
  /**
   * Finishes a command once it is the one being run (before its options are parsed): options
   * whose help shows a package's defaults load that package only then, so `rally --version` and
   * the other commands do not.
   */
  prepare(command: Command, finish: () => Promise<void>): void;
  /**
   * The command reads the model store or the server's settings: it loads the `.env` file (ENV_FILE)
   * into the environment first, as `rally serve` does, so that every command sees the same store.
   */
  readsSettings(command: Command): void;
}

export const jsonOption = () => new Option('--json', 'print one JSON document on stdout (progress and errors stay on stderr)');

const EXIT_CODES_HELP = `
Exit codes: 0 done; 1 the job failed, the data is invalid or a gate failed; 2 bad usage or unreadable input.
With --json, stdout holds exactly one JSON document, also on failure: {"error": {"code", "message"}}.
Colour only on a terminal, never with NO_COLOR. Every command takes --help and --version.`;

function buildProgram(ctx: Context, record: (code: number) => void, current: { command: Command | undefined }): Command {
  const { io, out } = ctx;
  const pending = new Map<Command, (() => Promise<void>)[]>();
  const readingSettings = new Set<Command>();
  const program = new Command('rally')
    .description('Predict how a tennis point ends (W winner, FE forced error, UE unforced error) from ball-tracking data.')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: () => {}, // main() writes one sentence of its own
      getOutHasColors: () => colourEnabled(io.stdout, ctx.env),
      getErrHasColors: () => ctx.err.enabled,
      // A terminal's width; 100 columns anywhere else, so that help piped or tested reads the same.
      getOutHelpWidth: () => (io.stdout.isTTY ? ((io.stdout as { columns?: number }).columns ?? 100) : 100),
      getErrHelpWidth: () => (io.stderr.isTTY ? ((io.stderr as { columns?: number }).columns ?? 100) : 100),
    })
    .configureHelp({ styleTitle: out.bold, styleCommandText: out.cyan, styleSubcommandText: out.cyan, styleOptionText: out.cyan, styleArgumentText: out.yellow, sortSubcommands: false })
    .showSuggestionAfterError(false)
    .addHelpText('after', EXIT_CODES_HELP)
    .hook('preSubcommand', async (_program, subcommand) => {
      current.command = subcommand;
      for (const finish of pending.get(subcommand) ?? []) await finish();
    })
    // After the options are parsed (so --help and --version never need a readable .env).
    .hook('preAction', async (_program, command) => {
      if (readingSettings.has(command)) {
        const { loadEnvFile } = await import('@rally/serve/config');
        loadEnvFile(ctx.env);
      }
      // Every --no-cache is the cache setting for this run: the commands read CACHE_DISABLED like the server.
      if (command.opts().cache === false) ctx.env = { ...ctx.env, CACHE_DISABLED: '1' };
    });
  program.helpCommand(false);

  const registrar: Registrar = {
    ctx,
    command: (name, summary) => program.command(name).summary(summary).description(summary).version(VERSION, '-V, --version', 'print the version').helpOption('-h, --help', 'show this help'),
    action: (command, run) => {
      command.action(async (...args: unknown[]) => record(await run(...(args as never))));
    },
    prepare: (command, finish) => {
      pending.set(command, [...(pending.get(command) ?? []), finish]);
    },
    readsSettings: (command) => {
      readingSettings.add(command);
    },
  };
  registerValidate(registrar);
  registerDrift(registrar);
  registerTrain(registrar);
  registerDeploy(registrar);
  registerPredict(registrar);
  registerFeatures(registrar);
  registerSample(registrar);
  registerCompare(registrar);
  registerExport(registrar);
  registerServe(registrar);
  registerStart(registrar);
  return program;
}

const pathOf = (command: Command | undefined) => (command ? `rally ${command.name()}` : 'rally');

/** Commander's complaint as one sentence of ours, with "did you mean" and where the help is. */
function usageSentence(error: CommanderError, program: Command, command: Command | undefined): string {
  const path = pathOf(command);
  const help = `See ${path} --help.`;
  const quoted = /'([^']*)'/.exec(error.message)?.[1] ?? '';
  // `--flag=value`: the flag is what was mistyped.
  const flag = quoted.split('=')[0];
  switch (error.code) {
    case 'commander.unknownOption': {
      const flags = (command ?? program).options.flatMap((option) => [option.long, option.short]).filter((known): known is string => Boolean(known));
      const guess = suggest(flag, [...flags, '--help', '-h', '--version', '-V']);
      return `Unknown option ${flag} for ${path}${guess ? `; did you mean ${guess}?` : '.'} ${help}`;
    }
    case 'commander.unknownCommand': {
      const guess = suggest(quoted, program.commands.map((sub) => sub.name()));
      return `Unknown command ${quoted}${guess ? `; did you mean ${guess}?` : '.'} See rally --help.`;
    }
    case 'commander.optionMissingArgument': {
      // '--trees <n>' or '-n, --count <n>': name it by its long flag.
      const name = /--[\w-]+/.exec(quoted)?.[0] ?? quoted.split(/[ ,]/)[0];
      return `${name} needs a value (${quoted}). ${help}`;
    }
    case 'commander.missingArgument':
      return `${path} needs its <${quoted}> argument. ${help}`;
    case 'commander.excessArguments': {
      const expected = /Expected (\d+)/.exec(error.message)?.[1] ?? '0';
      return `Too many arguments for ${path} (it takes ${expected === '0' ? 'none' : `at most ${expected}`}). ${help}`;
    }
    default: {
      const text = error.message.replace(/^error: /, '').split('\n')[0];
      return `${text.charAt(0).toUpperCase()}${text.slice(1).replace(/[.]?$/, '.')} ${help}`;
    }
  }
}

/** The whole command line: never throws, never prints a stack trace; returns the exit code. */
export async function main(argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env, io: Io = process): Promise<number> {
  const ctx = createContext(io, env);
  const current: { command: Command | undefined } = { command: undefined };
  let code: number = EXIT.done;
  const program = buildProgram(ctx, (result) => (code = result), current);
  const isCommand = (word: string | undefined) => program.commands.some((command) => command.name() === word);
  const args = [...argv];
  // pnpm versions differ on whether `pnpm x -- --flag` hands the script the `--` (a script that is
  // `rally <command>` gets it after the command name): dropped when pnpm ran the script, kept as
  // the end of options otherwise.
  const dash = args.indexOf('--');
  if (ctx.env.npm_lifecycle_event !== undefined && (dash === 0 || (dash === 1 && isCommand(args[0])))) args.splice(dash, 1);
  // `rally help [command]` is `rally [command] --help`.
  if (args[0] === 'help' && args.length <= 2 && (args.length === 1 || isCommand(args[1]))) args.splice(0, args.length, ...args.slice(1), '--help');
  const options = args.includes('--') ? args.slice(0, args.indexOf('--')) : args;
  const json = options.includes('--json');
  if (json) ctx.keepStdoutForJson();
  const fail = (message: string, error: unknown, exit: number) => {
    ctx.note(ctx.err.red(message));
    // The same sentence as on stderr. One document: a command that printed its result before
    // failing (a report file it could not write) keeps it.
    if (json && !ctx.printedJson) ctx.json(errorDocument(error, message));
    return exit;
  };
  try {
    await program.parseAsync(args, { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.done;
      // A bare `rally`: commander printed the help on stderr; no command is bad usage.
      if (error.code === 'commander.help') return args.length === 0 ? EXIT.usage : EXIT.done;
      const sentence = usageSentence(error, program, current.command);
      return fail(sentence, new UsageError(sentence), EXIT.usage);
    }
    const help = isRallyError(error, 'CLI_USAGE') ? ` See ${pathOf(current.command)} --help.` : '';
    return fail(`${describeError(error)}${help}`, error, exitCodeFor(error));
  }
}
