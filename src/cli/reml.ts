/** `mixmc reml`: REML (or ML) variance components with BLUE and BLUP, or BLUE/BLUP at fixed variances. */
import type { Command } from 'commander';
import { blup, MixmcError, multiBlupAt, prepare, reml, requireGaussian, toJson } from '../index.js';
import { fmt } from './format.js';
import { alignRows, readConfig } from './options.js';

function runReml(config: string, flags: { json?: boolean; ml?: boolean }): void {
  const { spec, baseDir, specFile } = readConfig(config);
  const model = prepare(spec, { baseDir, specFile });
  requireGaussian(model.design);
  const solver = spec.solver ?? 'auto';
  const terms = [...model.design.random.map((r) => r.term), ...model.design.markers.map((m) => m.term), 'residual'];
  const missing = terms.filter((t) => model.resolved.fixedVariances[t] === undefined);
  if (missing.length === 0) {
    // every variance known: BLUE/BLUP with the chosen solver (SE and PEV with Cholesky only)
    const multi = model.settings.multi;
    const b = multi
      ? multiBlupAt(
          model.design,
          [...multi.terms, ...multi.markers.map((m) => m.covariance), multi.residual].map((c) => Float64Array.from(c.fixed!)),
        )
      : blup(model.design, model.settings.fixedVariances, solver, { markers: model.design.markers.length > 0 });
    const out = { fixed: b.fixed, random: b.random, solver: b.solver, iterations: b.solverIterations };
    if (flags.json) {
      process.stdout.write(toJson(out));
      return;
    }
    const head = `BLUE/BLUP at the fixed variances (${b.solver}${b.solverIterations ? `, ${b.solverIterations} iterations` : ''})`;
    const fixed = alignRows([['fixed', 'estimate', 'se'], ...b.fixed.map((f) => [f.variable, fmt(f.estimate, 6), fmt(f.se, 4)])]);
    const random = alignRows([['random', 'blup', 'pev'], ...b.random.slice(0, 20).map((u) => [u.variable, fmt(u.blup, 5), fmt(u.pev, 4)])]);
    process.stdout.write(`${head}\n\n${fixed}\n\n${random}\n`);
    return;
  }
  if (solver === 'pcg' || solver === 'gauss-seidel') {
    throw new MixmcError(
      `solver '${solver}' solves the MME for known variances: give fixedVariances for ${missing.join(', ')} (REML needs "solver": "cholesky" or "auto")`,
      { term: 'solver' },
    );
  }
  if (missing.length < terms.length) {
    throw new MixmcError(`REML estimates every variance component: fixedVariances must hold all of them (for BLUP) or none (missing: ${missing.join(', ')})`, {
      term: 'fixedVariances',
    });
  }
  const r = reml(model.design, { method: flags.ml ? 'ML' : 'REML', markers: model.design.markers.length > 0 });
  const out = {
    varianceComponents: r.varianceComponents.map((v) => ({ term: v.term, variable: v.variable, estimate: v.estimate, se: v.se, boundary: v.boundary })),
    fixed: r.fixed,
    random: r.random.map((u) => ({ variable: u.variable, blup: u.blup, pev: u.pev, reliability: u.reliability })),
    logLik: r.logLik,
    method: r.method,
    iterations: r.iterations,
    converged: r.converged,
    history: r.history,
  };
  if (flags.json) {
    process.stdout.write(toJson(out));
    return;
  }
  const lines = [
    `${r.method}: logLik ${r.logLik.toFixed(6)} (lme4 scale), ${r.iterations} iterations, ${r.converged ? 'converged' : 'NOT converged'} (last change ${r.history[r.history.length - 1]?.change.toExponential(2)})`,
    '',
  ];
  lines.push(
    alignRows([
      ['variance', 'estimate', 'se'],
      ...r.varianceComponents.map((v) => [v.variable, fmt(v.estimate, 6) + (v.boundary ? ' (boundary)' : ''), fmt(v.se, 4)]),
    ]),
  );
  lines.push('', alignRows([['fixed', 'estimate', 'se'], ...r.fixed.map((f) => [f.variable, fmt(f.estimate, 6), fmt(f.se, 4)])]));
  const shown = r.random.slice(0, 20);
  lines.push(
    '',
    alignRows([['random', 'blup', 'pev', 'reliability'], ...shown.map((u) => [u.variable, fmt(u.blup, 5), fmt(u.pev, 4), fmt(u.reliability, 3)])]),
  );
  if (r.random.length > shown.length) lines.push(`… ${r.random.length - shown.length} more (--json for all)`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function remlCommand(program: Command): void {
  program
    .command('reml')
    .argument('<config>', 'run spec (JSON)')
    .option('--json', 'print the result as JSON')
    .option('--ml', 'maximum likelihood instead of REML')
    .description('REML (or ML) variance components with BLUE and BLUP')
    .action((config: string, flags: { json?: boolean; ml?: boolean }) => runReml(config, flags));
}
