/** Writing small PLINK 1 binary filesets for tests (SNP-major .bed with its .bim and .fam). */
import { writeFileSync } from 'node:fs';

export interface BedMarker {
  id: string;
  /** The counted allele: codes are its count. */
  a1: string;
  a2: string;
}

/**
 * Write STEM.bed/.bim/.fam: codes[i][j] is individual i's count of marker j's a1 (−1 missing),
 * stored as PLINK stores it (00 = two A1, 10 = one, 11 = none, 01 = missing). Returns STEM.bed.
 */
export function writeBed(stem: string, ids: readonly string[], markers: readonly BedMarker[], codes: readonly (readonly number[])[]): string {
  const n = ids.length;
  const perSnp = Math.ceil(n / 4);
  const bytes = new Uint8Array(3 + markers.length * perSnp);
  bytes.set([0x6c, 0x1b, 0x01]);
  const bits = (c: number): number => (c === 2 ? 0b00 : c === 1 ? 0b10 : c === 0 ? 0b11 : 0b01);
  markers.forEach((_, j) => {
    for (let i = 0; i < n; i++) bytes[3 + j * perSnp + (i >> 2)] |= bits(codes[i][j]) << ((i & 3) * 2);
  });
  writeFileSync(`${stem}.bed`, bytes);
  writeFileSync(`${stem}.bim`, `${markers.map((m, j) => `1\t${m.id}\t0\t${1000 * (j + 1)}\t${m.a1}\t${m.a2}`).join('\n')}\n`);
  writeFileSync(`${stem}.fam`, `${ids.map((id) => `${id} ${id} 0 0 0 -9`).join('\n')}\n`);
  return `${stem}.bed`;
}
