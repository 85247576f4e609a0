/**
 * A run directory belongs to one run: a fit refuses a directory that holds another run (unless told
 * to replace it) or files that are not a run's; a lock file held for the run's life keeps a second
 * writer out (naming the holder), and a lock left by a killed process is recognised as stale.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { MixmcError } from '../errors.js';
import { environmentError, makeDirectory, onPath } from './environment.js';

/** The lock file of a run directory. */
export const LOCK_FILE = '.mixmc.lock';

/** The files and folders a run writes (what --force clears). */
const RUN_ENTRIES = [
  'run.json',
  'summary.json',
  'fitted.csv',
  'pointwise.csv',
  'gebv.csv',
  'compare.json',
  'compare.csv',
  'report.html',
  'windows.csv',
  'draws',
  'checkpoints',
  'effects',
];

function isRunEntry(name: string): boolean {
  return RUN_ENTRIES.includes(name) || /^markers(-.+)?\.csv$/.test(name) || /\.tmp-\d+$/.test(name);
}

/** Who holds a lock. */
interface Holder {
  pid: number;
  host: string;
  started: string;
}

/** Whether process `pid` of this host is alive (signal 0: EPERM means it is, someone else's). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A held run directory; release() removes the lock (idempotent). */
export interface RunLock {
  release(): void;
}

/**
 * Take the lock of `dir`: create .mixmc.lock exclusively, or, when a lock exists whose process is
 * gone (same host, no such pid), replace it.
 * @throws MixmcError naming the process that holds the directory.
 */
function lock(dir: string): RunLock {
  const file = join(dir, LOCK_FILE);
  const me: Holder = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw environmentError(err, file, 'create the lock of the run directory');
      let holder: Holder | undefined;
      try {
        holder = JSON.parse(readFileSync(file, 'utf8')) as Holder;
      } catch {
        holder = undefined;
      }
      if (holder && holder.host === me.host && !processAlive(holder.pid)) {
        unlinkSync(file);
        continue;
      }
      const who = holder ? `process ${holder.pid} on ${holder.host} (since ${holder.started})` : 'another process';
      throw new MixmcError(`the run directory is being written by ${who}; wait for it to finish, or remove ${file} if that process is gone`, { file: dir });
    }
    onPath(file, 'write the lock of the run directory', () => {
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
    });
    let held = true;
    return {
      release: () => {
        if (!held) return;
        held = false;
        try {
          unlinkSync(file);
        } catch {
          // already gone: nothing to release
        }
      },
    };
  }
  throw new MixmcError(`cannot take the lock ${file}`, { file: dir });
}

/**
 * Claim a run directory for a new run ('new': it must be absent or empty; 'force': a run in it is
 * replaced; a folder of other files is never cleared), or for resuming the run in it ('resume').
 * @throws MixmcError when the directory holds another run, other files, or is a file or in use.
 */
export function claimRunDir(dir: string, mode: 'new' | 'force' | 'resume'): RunLock {
  const kind = onPath(dir, 'use the run directory', () => (existsSync(dir) ? (statSync(dir).isDirectory() ? 'dir' : 'file') : 'none'));
  if (kind === 'file') throw new MixmcError('the run directory is a file; give a new or empty directory', { file: dir });
  if (kind === 'none' && mode === 'resume') throw new MixmcError('there is no run directory to resume here', { file: dir });
  const entries = kind === 'dir' ? onPath(dir, 'read the run directory', () => readdirSync(dir)) : [];
  const holdsRun = entries.includes('run.json') || entries.includes('draws');
  if (mode === 'resume' && !holdsRun) throw new MixmcError('not a mixmc run directory (no run.json): nothing to resume', { file: dir });
  const others = entries.filter((e) => e !== LOCK_FILE && !isRunEntry(e));
  if (mode !== 'resume' && others.length > 0) {
    throw new MixmcError(
      `the directory holds files that are not a mixmc run's (${others.slice(0, 3).join(', ')}${others.length > 3 ? ', …' : ''}); give a new or empty directory`,
      { file: dir },
    );
  }
  if (mode === 'new' && holdsRun) {
    throw new MixmcError('the directory holds a run already; give --force to replace it, --resume to continue it, or another directory', { file: dir });
  }
  onPath(dir, 'create the run directory', () => makeDirectory(dir));
  const held = lock(dir);
  if (mode === 'force' && holdsRun) {
    try {
      for (const e of readdirSync(dir)) if (e !== LOCK_FILE && isRunEntry(e)) rmSync(join(dir, e), { recursive: true, force: true });
    } catch (err) {
      held.release();
      throw environmentError(err, dir, 'clear the old run');
    }
  }
  return held;
}
