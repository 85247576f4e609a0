/**
 * The example scripts run from a fresh build (with few iterations) and print what they promise.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = join(ROOT, 'dist', 'examples');

/** The lines between the README:begin and README:end markers of examples/api.ts, with the import from the package name. */
function tourCode(): string {
  const text = readFileSync(join(ROOT, 'examples', 'api.ts'), 'utf8');
  const body = text.slice(text.indexOf('// README:begin\n') + '// README:begin\n'.length, text.indexOf('// README:end'));
  return body.replace("from '../src/index.js'", "from 'mixmc'").trim();
}

/** The ```ts block of the README's API section. */
function readmeApiBlock(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## API\n'));
  const start = section.indexOf('```ts\n') + '```ts\n'.length;
  return section.slice(start, section.indexOf('```', start)).trim();
}

describe('examples', () => {
  it("the README's API section is examples/api.ts, and it runs", () => {
    expect(readmeApiBlock()).toBe(tourCode());
    const r = spawnSync(process.execPath, [join(DIST, 'api.js')], { encoding: 'utf8', cwd: ROOT });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/var\[Batch\] \d+ \[\d+, \d+\], R-hat 1\.0\d\d/);
    expect(r.stdout).toMatch(/REML var\[Batch\] 1764 ± \d+/);
    expect(r.stdout).toMatch(/h2 0\.\d\d; 1279 markers; largest PIP/);
    expect(r.stdout).toMatch(/predicted 599 GEBVs from 20 saved draws/);
    expect(r.stdout).toMatch(/mu: R-hat \d\.\d\d/);
  });

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

describe('npm start', () => {
  it('runs twice in a row: the demo replaces its own run (its command, with few iterations)', () => {
    const start = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.start as string;
    const [node, ...args] = start.split(' ');
    expect(node).toBe('node');
    expect(args).toContain('--force');
    const out = mkdtempSync(join(tmpdir(), 'mixmc-start-'));
    const argv = args.map((a) => (a === 'runs/demo' ? join(out, 'demo') : a)).concat(['--iter', '60', '--burnin', '10', '--thin', '1', '--quiet']);
    for (let k = 0; k < 2; k++) {
      const r = spawnSync(process.execPath, argv, { encoding: 'utf8', cwd: ROOT });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
  });
});
