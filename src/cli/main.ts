#!/usr/bin/env node
/** The `mixmc` executable: a thin entry over src/cli/program.ts. */
import { main } from './program.js';

main(process.argv).then((code) => {
  process.exitCode = code;
});
