/**
 * The layers of src/ (README "Design notes"): dependency-cruiser checks every import against
 * .dependency-cruiser.cjs (no cycle, no upward import, diagnostics pure, api modules independent,
 * the CLI on the public API only, thin workers). A planted upward import in a scratch tree shows the
 * rules bite.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'node_modules', '.bin', 'depcruise');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');

function cruise(cwd: string, paths: string[]): { code: number; out: string } {
  const r = spawnSync(BIN, [...paths, '--config', CONFIG, '--output-type', 'err'], { cwd, encoding: 'utf8' });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

describe('layers', () => {
  it('src/ and workers/ have no cycle and no upward import', () => {
    const r = cruise(ROOT, ['src', 'workers']);
    expect(r.out).toMatch(/no dependency violations found/);
    expect(r.code).toBe(0);
  });

  it('an upward import and a cycle in a scratch tree are reported', () => {
    const dir = tempDir();
    const write = (f: string, text: string): void => {
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      writeFileSync(join(dir, f), text);
    };
    write('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }));
    write('src/model/a.ts', "import { b } from '../api/b.js';\nexport const a = b;\n");
    write('src/api/b.ts', 'export const b = 1;\n');
    write('src/io/c.ts', "import { d } from './d.js';\nexport const c = d;\n");
    write('src/io/d.ts', "import { c } from './c.js';\nexport const d = () => c;\n");
    const r = cruise(dir, ['src']);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/model-imports-upward: src\/model\/a\.ts → src\/api\/b\.ts/);
    expect(r.out).toMatch(/no-circular/);
  });
});
