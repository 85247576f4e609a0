/**
 * Adversarial CLI cases: each runs the command line on files made for it and asserts the exit code,
 * that a user error is one `error:` line (no stack trace) holding the case's key words, and that
 * nothing already on disk was lost or half-written (every file there before is byte-identical after,
 * and no temporary file is left).
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect } from 'vitest';
import { runCli, tempDir } from './cli.js';
import { fixturePath } from './fixtures.js';

export interface AdversarialCase {
  name: string;
  /** Prepare the case's folder (write inputs, make a run to attack); relative paths resolve against it. */
  setup?: (dir: string) => void | Promise<void>;
  args: (dir: string) => string[];
  /** 2 for a user error (the default). */
  code?: number;
  /** Words the error line must hold. */
  words: (string | RegExp)[];
  /** Files the command may change (relative to the folder); every other file must stay as it was. */
  mayChange?: string[];
  /** Whether the command may create files (by default a refused command writes nothing). */
  mayCreate?: boolean;
}

/** Every file under `dir` with its SHA-256, and every folder (as 'folder'). */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) {
        out.set(`${relative(dir, p)}/`, 'folder');
        walk(p);
      } else out.set(relative(dir, p), createHash('sha256').update(readFileSync(p)).digest('hex'));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** The dyestuff data and a small config (2 chains × 300 iterations) in `dir`; returns the config's path. */
export function dyestuffCase(dir: string, spec: Record<string, unknown> = {}, mcmc: Record<string, unknown> = {}): string {
  copyFileSync(fixturePath('dyestuff.csv'), join(dir, 'd.csv'));
  const cfg = join(dir, 'c.json');
  writeFileSync(
    cfg,
    JSON.stringify({
      data: 'd.csv',
      formula: 'Yield ~ 1 + (1|Batch)',
      mcmc: { chains: 2, iterations: 300, burnin: 50, seed: 7, ...mcmc },
      ...spec,
    }),
  );
  return cfg;
}

/** Run a case and assert what every adversarial case promises. */
export async function runCase(c: AdversarialCase): Promise<{ dir: string; stdout: string; stderr: string }> {
  const dir = tempDir('mixmc-adv-');
  await c.setup?.(dir);
  const before = snapshot(dir);
  const r = await runCli(c.args(dir));
  const code = c.code ?? 2;
  expect(r.code, r.stderr).toBe(code);
  if (code === 2) {
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.length, r.stderr).toBe(1);
    expect(lines[0]).toMatch(/^error: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    for (const w of c.words) {
      if (typeof w === 'string') expect(lines[0].toLowerCase()).toContain(w.toLowerCase());
      else expect(lines[0]).toMatch(w);
    }
  }
  const after = snapshot(dir);
  const may = new Set(c.mayChange ?? []);
  for (const [file, hash] of before) {
    if (may.has(file)) continue;
    expect(after.get(file), `${file} was lost or changed`).toBe(hash);
  }
  for (const file of after.keys()) {
    expect(file, 'a temporary file was left').not.toMatch(/\.tmp-\d+$/);
    if (!c.mayCreate && code === 2) expect(before.has(file) || may.has(file), `${file} was written by a refused command`).toBe(true);
  }
  return { dir, ...r };
}
