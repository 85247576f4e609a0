/**
 * Matching the alleles of new genotypes to those a model was fitted on. A genotype code counts one
 * allele (a .bim's A1); PLINK 1.9 picks A1 per file (the minor allele of that file), so the same
 * marker may count the other allele in a new file, which without a check reverses the sign of its
 * effect. For each marker (already matched by id) with alleles on both sides:
 *   - same alleles, same order: used as they are;
 *   - same alleles, swapped: the codes are flipped (c → 2 − c);
 *   - the complementary alleles (the other strand, A↔T, C↔G), in either order: treated as above;
 *   - a strand-ambiguous marker (A/T or C/G) in swapped order: a swap cannot be told from a strand
 *     flip, so it is an error; any other alleles are an error.
 * A '0' allele (PLINK's code for an allele not seen in the file) matches either allele. A side
 * without alleles (a CSV matrix) cannot be checked: the markers are matched by id and that is
 * reported.
 */
import { MixmcError } from '../errors.js';
import type { AlleleReport, MarkerInfo } from '../types.js';

const COMPLEMENT: Record<string, string> = { A: 'T', T: 'A', C: 'G', G: 'C' };

const complement = (a: string): string => COMPLEMENT[a.toUpperCase()] ?? a;

function ambiguous(a1: string, a2: string): boolean {
  return complement(a1) === a2.toUpperCase();
}

/** Alleles equal, with PLINK's '0' matching anything. */
const agree = (x: string, y: string): boolean => x.toUpperCase() === y.toUpperCase() || x === '0' || y === '0';

type Orientation = 'same' | 'swapped' | 'mismatch';

function orient(f1: string, f2: string, n1: string, n2: string): Orientation {
  const same = agree(f1, n1) && agree(f2, n2);
  const swapped = agree(f1, n2) && agree(f2, n1);
  if (same && !swapped) return 'same';
  if (swapped && !same) return 'swapped';
  // both agree only through '0' alleles or identical pairs like A/A: trust the order given
  return same ? 'same' : 'mismatch';
}

const pair = (m: MarkerInfo): string => `${m.a1}/${m.a2}`;

/**
 * Which of the new markers to flip. `fitted[k]` and `given[k]` are the same marker (matched by id).
 * @throws MixmcError naming `file` and the markers whose alleles cannot be reconciled.
 */
export function matchAlleles(fitted: readonly MarkerInfo[], given: readonly MarkerInfo[], file: string): { flip: Uint8Array; report: AlleleReport } {
  const flip = new Uint8Array(fitted.length);
  const report: AlleleReport = { checked: 0, unchecked: 0, flipped: 0, otherStrand: 0, flippedMarkers: [] };
  const mismatched: string[] = [];
  const ambiguousSwaps: string[] = [];
  fitted.forEach((f, k) => {
    const g = given[k];
    if (!f.a1 || !f.a2 || !g.a1 || !g.a2) {
      report.unchecked++;
      return;
    }
    report.checked++;
    let o = orient(f.a1, f.a2, g.a1, g.a2);
    let strand = false;
    if (o === 'mismatch') {
      o = orient(f.a1, f.a2, complement(g.a1), complement(g.a2));
      strand = o !== 'mismatch';
    }
    if (o === 'mismatch') {
      mismatched.push(`${f.id} (fitted ${pair(f)}, new ${pair(g)})`);
      return;
    }
    if (o === 'swapped' && ambiguous(f.a1, f.a2)) {
      ambiguousSwaps.push(`${f.id} (fitted ${pair(f)}, new ${pair(g)})`);
      return;
    }
    if (strand) report.otherStrand++;
    if (o === 'swapped') {
      flip[k] = 1;
      report.flipped++;
      if (report.flippedMarkers.length < 10) report.flippedMarkers.push(f.id);
    }
  });
  const list = (xs: string[]): string => `${xs.slice(0, 5).join(', ')}${xs.length > 5 ? ', …' : ''}`;
  if (mismatched.length > 0) {
    throw new MixmcError(
      `${mismatched.length} marker(s) have alleles other than those the model was fitted on: ${list(mismatched)}; check that the files use the same marker names and build`,
      { file },
    );
  }
  if (ambiguousSwaps.length > 0) {
    throw new MixmcError(
      `${ambiguousSwaps.length} strand-ambiguous marker(s) (A/T or C/G) count the other allele, which cannot be told from a strand flip: ${list(ambiguousSwaps)}; recode them to the fitted A1 (plink --a1-allele) or leave them out`,
      { file },
    );
  }
  return { flip, report };
}
