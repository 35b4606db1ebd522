import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { LockfileError, ManifestError, UsageError, VoxformError, formatDiagnostic } from '@voxform/core';
import { projectPaths, type NodeDispatcherSettings, type ProjectPaths } from '@voxform/core/node';
import { EXIT_ERROR, EXIT_OK } from './exit-codes.js';
import { createProviderRegistry } from './providers.js';
import { createTerminal, type Terminal } from './terminal.js';

export interface GlobalOptions {
  file: string;
  dir: string;
  json: boolean;
  color: boolean;
  quiet: boolean;
  verbose: boolean;
}

/** What every command gets: where the project is, how to write, which providers exist. */
export interface CommandContext {
  terminal: Terminal;
  paths: ProjectPaths;
  providers: ReturnType<typeof createProviderRegistry>;
  /** Timeouts of the connection pool apply talks to the vendors through; the defaults are the production ones. */
  dispatcher?: NodeDispatcherSettings;
}

/**
 * What a program embedding the CLI may change: the providers (the reliability tests shorten the adapters'
 * waits between polls and retries) and the connection pool's timeouts. The `voxform` binary passes none.
 */
export interface MainOptions {
  providers?: () => ReturnType<typeof createProviderRegistry>;
  dispatcher?: NodeDispatcherSettings;
}

export const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Runs the CLI on `argv` (as process.argv) and returns the exit code. The one place errors become messages. */
export async function main(argv: string[], mainOptions: MainOptions = {}): Promise<number> {
  let exitCode = EXIT_OK;
  let terminal = createTerminal({ color: true, quiet: false, verbose: false, json: false });
  const program = new Command('voxform')
    .description('Voices as code: clone voices and render scripts from voices.yaml, recorded in voices.lock.')
    .version(version, '-V, --version')
    .option('-f, --file <file>', 'manifest file name', 'voices.yaml')
    .option('-C, --dir <dir>', 'project folder (where voices.yaml is)', '.')
    .option('--json', 'machine-readable output', false)
    .option('--no-color', 'no colours (also: NO_COLOR=1)')
    .option('-q, --quiet', 'only results and errors', false)
    .option('-v, --verbose', 'more detail, stack traces of unexpected errors', false)
    .showHelpAfterError('(run voxform --help for usage)')
    .exitOverride();

  const context = (): CommandContext => {
    const options = program.opts<GlobalOptions>();
    if (!options.color) process.env.NO_COLOR = '1';
    terminal = createTerminal(options);
    return {
      terminal,
      paths: projectPaths({ dir: options.dir, file: options.file }),
      providers: mainOptions.providers?.() ?? createProviderRegistry(),
      ...(mainOptions.dispatcher ? { dispatcher: mainOptions.dispatcher } : {}),
    };
  };
  // A command's module loads only when it runs: `plan` does not pay for apply's engine and progress display.
  const run = (load: () => Promise<(context: CommandContext, ...args: never[]) => Promise<number>>) =>
    async (...args: unknown[]) => {
      const action = await load();
      exitCode = await action(context(), ...(args as never[]));
    };

  program
    .command('init')
    .description('write a commented starter voices.yaml')
    .option('--force', 'overwrite an existing voices.yaml', false)
    .action(run(async () => (await import('./commands/init.js')).initCommand));
  program.command('validate').description('check the manifest, its scripts and samples; write nothing').action(run(async () => (await import('./commands/validate.js')).validateCommand));
  const targeting = (command: Command) =>
    command
      .addOption(new Option('--target <address...>', 'only these voices/lines (voice.narrator, chapter-01/0003, chapter-01/*) and what they need'))
      .addOption(new Option('--replace <address...>', 're-render these lines / replace these voices even if unchanged'))
      .option('--prune', 'delete outputs and voices the manifest no longer has', false)
      .option('--verify', 'hash every output file instead of trusting size and mtime', false)
      .option('--refresh', 'ask the vendors whether recorded voices still exist', false);
  targeting(
    program
      .command('plan')
      .description('show what apply would do and what it would bill')
      .option('--detailed-exitcode', 'exit 0 when there is nothing to do, 2 when there are changes', false)
      .option('--out <file>', 'save the plan for `voxform apply <file>`')
      .addOption(new Option('--format <format>', 'text, markdown (a pull-request comment: totals, then a collapsible section per script) or json (same as --json)').choices(['text', 'markdown', 'json']).default('text'))
      .addOption(maxCostOption()),
  ).action(run(async () => (await import('./commands/plan.js')).planCommand));
  targeting(
    program
      .command('apply')
      .argument('[planfile]', 'a plan saved with `voxform plan --out`; applied without asking')
      .description('clone missing voices, render lines, record everything in voices.lock')
      .option('-y, --yes', 'do not ask before spending (required when not in a terminal)', false)
      .addOption(new Option('--parallelism <count>', 'changes in flight at once').default(10).argParser(positiveInteger))
      .option('--fail-fast', 'stop starting new work after the first failure', false)
      .option('--check', 'run the quality gates of `voxform check` afterwards; exit 1 if anything fails them', false)
      .addOption(new Option('--max-download-mb <megabytes>', 'largest audio file accepted for one line (default 1024)').argParser(positiveInteger))
      .addOption(maxCostOption()),
  ).action(run(async () => (await import('./commands/apply.js')).applyCommand));
  program
    .command('check')
    .description('quality gates: silent, clipped or cut-off audio, a duration far from the text, chapters off their loudness target; exit 1 listing them')
    .action(run(async () => (await import('./commands/check.js')).checkCommand));
  program.command('show').description('what voices.lock records: voices, renders, pending work').action(run(async () => (await import('./commands/show.js')).showCommand));
  program
    .command('unlock')
    .description('remove the state lock left by an apply that died (refused while its process runs on this host)')
    .option('--force', 'remove it even though its pid runs on this host: for when that pid is not a voxform apply (reused after the apply died)', false)
    .action(run(async () => (await import('./commands/unlock.js')).unlockCommand));
  program
    .command('emulator')
    .description('serve fakes of the five vendor APIs locally, for tests and trying voxform without keys')
    .addOption(new Option('--port <port>', 'port to listen on (0: any free port)').default(4010).argParser(port))
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .addOption(new Option('--audio <kind>', 'speech (real, local synthesiser) or tone (cheap, for load tests)').choices(['speech', 'tone']).default('speech'))
    .addOption(new Option('--seed <number>', 'seed of the fault dice').default(1).argParser(Number))
    .action(run(async () => (await import('./commands/emulator.js')).emulatorCommand));

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    return report(error, terminal);
  }
}

function maxCostOption(): Option {
  return new Option('--max-cost <amount>', 'fail (exit 1, nothing spent) when the estimated cost from providers.<name>.pricing is over this amount, or unknown')
    .argParser((value: string) => {
      const number = Number(value);
      if (value.trim() === '' || !Number.isFinite(number) || number < 0) {
        throw new InvalidArgumentError(`expected an amount of at least 0 in the pricing's currency, such as 12.50, got '${value}'`);
      }
      return number;
    });
}

function port(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 65535) throw new InvalidArgumentError(`expected a port from 0 to 65535, got '${value}'`);
  return number;
}

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError(`expected a whole number of at least 1, got '${value}'`);
  return number;
}

function report(error: unknown, terminal: Terminal): number {
  if (error instanceof CommanderError) {
    // Commander has printed its message (or the help / version).
    return error.exitCode === 0 ? EXIT_OK : EXIT_ERROR;
  }
  const red = (text: string) => terminal.style('red', text);
  if (ManifestError.isInstance(error)) {
    const errors = error.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
    if (terminal.json) {
      terminal.out(JSON.stringify({ valid: false, diagnostics: error.diagnostics }, null, 2));
    } else {
      for (const diagnostic of error.diagnostics) terminal.error(diagnostic.severity === 'error' ? red(formatDiagnostic(diagnostic)) : formatDiagnostic(diagnostic));
      terminal.error(`${errors.length} problem${errors.length === 1 ? '' : 's'} found; nothing was written.`);
    }
    return EXIT_ERROR;
  }
  if (LockfileError.isInstance(error) || UsageError.isInstance(error) || VoxformError.isInstance(error)) {
    terminal.error(red(`Error: ${(error as Error).message}`));
    return EXIT_ERROR;
  }
  terminal.error(red(`voxform hit an unexpected error. This is a bug; please report it with this text.`));
  terminal.error(`voxform ${version}, node ${process.version}, ${process.platform}-${process.arch}`);
  terminal.error(terminal.verbose && error instanceof Error ? (error.stack ?? error.message) : `${String((error as Error)?.message ?? error)} (run with --verbose for the stack trace)`);
  return EXIT_ERROR;
}
