/**
 * Priors of the matrices of a multivariate model as the user gives them: a single trait's residual
 * beside a random slope is a 1 × 1 matrix, and takes its scalar prior as a number (as every other
 * single-trait residual does) or as [[s²]], the same prior either way.
 */
import { describe, expect, it } from 'vitest';
import { prepare } from '../../src/blocks/plan.js';
import { fixturePath } from '../helpers/fixtures.js';

describe('matrix priors as given', () => {
  it('a slope model’s residual prior: a number or a 1 × 1 matrix, the same prior', () => {
    const spec = (residual: { df: number; scale: number } | { df: number; scale: number[][] }) =>
      prepare({ data: fixturePath('sleepstudy.csv'), formula: 'Reaction ~ 1 + Days + (1 + Days | Subject)', priors: { residual } });
    const asNumber = spec({ df: 5, scale: 600 });
    const asMatrix = spec({ df: 5, scale: [[600]] });
    const residual = (m: ReturnType<typeof spec>) => m.settings.multi!.residual;
    expect(residual(asNumber)).toEqual(residual(asMatrix));
    expect(residual(asMatrix)).toMatchObject({ df: 5, scale: [600] });
  });
});
