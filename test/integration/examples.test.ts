/**
 * The example scripts run from a fresh build (with few iterations) and print what they promise.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'examples');

describe('examples', () => {
  it('multi-chain.ts runs 4 chains from a script', () => {
    const r = spawnSync(process.execPath, [join(DIST, 'multi-chain.js'), '300'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const k of [1, 2, 3, 4]) expect(r.stdout).toContain(`chain ${k} done`);
    expect(r.stdout).toMatch(/h2\s+mean 0\.\d+/);
  });

  it('many-runs.ts runs a batch of fits through one pool', () => {
    const r = spawnSync(process.execPath, [join(DIST, 'many-runs.js'), '200'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const t of ['y1', 'y2', 'y3', 'y4']) expect(r.stdout).toMatch(new RegExp(`${t}: h2 0\\.\\d+`));
  });
});
