#!/usr/bin/env node
/** The `mixmc` executable: a thin entry over src/cli/program.ts. */
import { main } from './program.js';

// A reader that stops early (`mixmc summary … | head`) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

main(process.argv).then((code) => {
  process.exitCode = code;
});
