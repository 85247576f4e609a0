/**
 * The layers of src/ (README "Design notes"): each imports only the layers listed before it.
 * test/architecture/layers.test.ts runs these rules; a cycle or an upward import fails it.
 */
const LAYERS = [
  ['types', '^src/(types|spec|errors|version|numbers)\\.ts$'],
  ['rng', '^src/rng/'],
  ['linalg', '^src/linalg/'],
  ['io', '^src/io/'],
  ['model', '^src/model/'],
  ['mcmc', '^src/mcmc/'],
  ['blocks', '^src/blocks/'],
  ['output', '^src/output/'],
  ['parallel', '^src/parallel/'],
  ['diagnostics', '^src/diagnostics/'],
  ['reml', '^src/reml/'],
  ['run', '^src/run/'],
  ['report', '^src/report/'],
  ['api', '^src/api/'],
  ['batch', '^src/batch/'],
  ['index', '^src/index\\.ts$'],
  ['cli', '^src/cli/'],
];

/** Layers that may not import each other although they sit at the same height. */
const SIBLINGS = [['rng', 'linalg']];

const forbidden = [{ name: 'no-circular', severity: 'error', comment: 'import cycles', from: {}, to: { circular: true } }];
LAYERS.forEach(([name, path], k) => {
  const above = LAYERS.slice(k + 1).map(([, p]) => p);
  if (above.length > 0) forbidden.push({ name: `${name}-imports-upward`, severity: 'error', from: { path }, to: { path: above.join('|') } });
});
for (const [a, b] of SIBLINGS) {
  const pa = LAYERS.find(([n]) => n === a)[1];
  const pb = LAYERS.find(([n]) => n === b)[1];
  forbidden.push({ name: `${a}-${b}-siblings`, severity: 'error', from: { path: pa }, to: { path: pb } });
  forbidden.push({ name: `${b}-${a}-siblings`, severity: 'error', from: { path: pb }, to: { path: pa } });
}
forbidden.push(
  {
    name: 'diagnostics-only-types',
    severity: 'error',
    comment: 'diagnostics are pure kernels over draws',
    from: { path: '^src/diagnostics/' },
    to: { path: '^src/', pathNot: '^src/(diagnostics/|types\\.ts$|spec\\.ts$|errors\\.ts$|numbers\\.ts$)' },
  },
  { name: 'api-not-each-other', severity: 'error', from: { path: '^src/api/([^/]+)\\.ts$' }, to: { path: '^src/api/', pathNot: '^src/api/$1\\.ts$' } },
  { name: 'cli-only-public-api', severity: 'error', from: { path: '^src/cli/' }, to: { path: '^src/', pathNot: '^src/(cli/|index\\.ts$)' } },
  {
    name: 'workers-thin',
    severity: 'error',
    from: { path: '^workers/' },
    to: { path: '^src/', pathNot: '^src/(parallel/chainTask|diagnostics/summary|types)\\.ts$' },
  },
);

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
