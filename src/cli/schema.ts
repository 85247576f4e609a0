/** `mixmc schema`: print the JSON Schema of a run spec (for editors that validate configs). */
import type { Command } from 'commander';
import { runSpecSchema } from '../index.js';

export function schemaCommand(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of a run spec (point an editor at it to validate configs)')
    .action(() => {
      process.stdout.write(`${JSON.stringify(runSpecSchema(), null, 2)}\n`);
    });
}
