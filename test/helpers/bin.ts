/** The built executable, run as a child process (for signals, kills and the real worker threads). */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'src', 'cli', 'main.js');

export interface BinResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Run `mixmc ARGS`; `watch` is called with the child every 20 ms (and on every stderr chunk) until it
 * exits, to send it signals when the run reaches a state.
 */
export function runBin(args: string[], watch?: (child: ChildProcess, stderr: string) => void): Promise<BinResult> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      watch?.(child, stderr);
    });
    const timer = watch ? setInterval(() => watch(child, stderr), 20) : undefined;
    child.on('exit', (code, signal) => {
      if (timer) clearInterval(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}
