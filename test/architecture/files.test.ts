/**
 * Size of source files: none over 400 lines without a line "Long because: …" in its header comment
 * saying why it is one piece.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('source files', () => {
  it('are at most 400 lines, or say why at their top', () => {
    const long = sources(join(ROOT, 'src'))
      .map((f) => ({ f: relative(ROOT, f), text: readFileSync(f, 'utf8') }))
      .filter(({ text }) => text.split('\n').length > 400 && !/^\/\*\*[\s\S]*?Long because: .+[\s\S]*?\*\//.test(text))
      .map(({ f, text }) => `${f} (${text.split('\n').length} lines)`);
    expect(long).toEqual([]);
  });
});
