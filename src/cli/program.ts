/**
 * The mixmc command line: argument parsing and printing only; the work is the library's (every
 * command imports the public API only).
 */
import { Command } from 'commander';
import { isUserError, VERSION } from '../index.js';
import { compareCommand } from './compare.js';
import { batchCommand, workerCommand } from './batch.js';
import { cvCommand } from './cv.js';
import { sbcCommand } from './sbc.js';
import { fitCommand } from './fit.js';
import { modelsCommand } from './models.js';
import { windowsCommand } from './windows.js';
import { reportCommand } from './report.js';
import { predictCommand } from './predict.js';
import { remlCommand } from './reml.js';
import { schemaCommand } from './schema.js';
import { summaryCommand } from './summary.js';

let exitCode = 0;

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('mixmc')
    .description('Linear mixed models and genomic marker regressions by Gibbs sampling, and REML/BLUP to compare')
    .version(VERSION)
    .option('--debug', 'print stack traces on errors')
    // before the commands are added, so that they inherit it: a usage error returns exit code 2 through main()
    .exitOverride()
    // commander's suggestion goes on the error's own line
    .configureOutput({ writeErr: (s) => process.stderr.write(s.replace(/\n\(Did you mean (.*)\?\)/, ' (did you mean $1?)')) });
  fitCommand(program, (code) => {
    exitCode = code;
  });
  summaryCommand(program);
  remlCommand(program);
  compareCommand(program);
  cvCommand(program);
  sbcCommand(program);
  batchCommand(program, (code) => {
    exitCode = code;
  });
  workerCommand(program);
  modelsCommand(program);
  windowsCommand(program);
  reportCommand(program);
  predictCommand(program);
  schemaCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  exitCode = 0;
  const program = buildProgram();
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return 0;
    if (typeof code === 'string' && code.startsWith('commander.')) return 2;
    if (isUserError(err)) {
      process.stderr.write(`error: ${err.message}\n`);
      if (debug) process.stderr.write(`${err.stack}\n`);
      return 2;
    }
    process.stderr.write(`internal error: ${(err as Error).message}\n`);
    process.stderr.write(debug ? `${(err as Error).stack}\n` : 'run again with --debug for the stack trace\n');
    return 1;
  }
}
