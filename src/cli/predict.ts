/** `mixmc predict`: GEBVs of new individuals from a fitted marker model. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { csvField, csvValue, MixmcError, type NewGenotypes, predict, writeFileAtomic } from '../index.js';

/** `--geno FILE` (every set), or `--geno NAME=FILE` once per marker set. */
function genotypeArgs(args: readonly string[]): NewGenotypes {
  const named = args.filter((a) => /^[A-Za-z0-9_.-]+=/.test(a) && !/^[A-Za-z]:[\\/]/.test(a));
  if (named.length === 0) {
    if (args.length > 1) throw new MixmcError('give one --geno FILE for every marker set, or --geno NAME=FILE once per set', { term: '--geno' });
    return resolve(args[0]);
  }
  if (named.length !== args.length) throw new MixmcError('mix of --geno FILE and --geno NAME=FILE; use one form', { term: '--geno' });
  return Object.fromEntries(named.map((a) => [a.slice(0, a.indexOf('=')), resolve(a.slice(a.indexOf('=') + 1))]));
}

function runPredict(runDir: string, flags: { geno: string[]; out?: string }): void {
  const pred = predict(resolve(runDir), genotypeArgs(flags.geno));
  for (const a of pred.alleles) {
    if (a.flipped > 0) {
      process.stderr.write(
        `note: ${a.term}: ${a.flipped} marker(s) count the other allele in the new genotypes and were flipped (${a.flippedMarkers.join(', ')}${a.flipped > a.flippedMarkers.length ? ', …' : ''})\n`,
      );
    }
    if (a.otherStrand > 0) process.stderr.write(`note: ${a.term}: ${a.otherStrand} marker(s) are given on the other strand (complementary alleles)\n`);
    if (a.unchecked > 0) {
      process.stderr.write(
        `note: ${a.term}: ${a.unchecked} marker(s) matched by id only: the fitted or the new genotypes have no alleles (a CSV matrix); make sure both count the same allele\n`,
      );
    }
  }
  if (pred.draws === 0)
    process.stderr.write(
      "note: the fit kept no draws of the marker effects, so the GEBVs are x'E[β] and their SD is NA; fit with markers.saveEffects = k (every k-th kept draw) for posterior SDs\n",
    );
  // one line per individual, or per trait and individual (trait-major, as gebv.csv)
  const m = pred.ids.length;
  const traits = pred.traits;
  const lines = [
    traits ? 'id,trait,mean,sd' : 'id,mean,sd',
    ...Array.from(pred.mean, (mean, r) => {
      const trait = traits ? `${csvField(traits[Math.floor(r / m)])},` : '';
      return `${csvField(pred.ids[r % m])},${trait}${csvValue(mean)},${csvValue(pred.sd[r])}`;
    }),
  ];
  if (flags.out) {
    writeFileAtomic(resolve(flags.out), `${lines.join('\n')}\n`);
    process.stdout.write(
      `wrote ${m} predictions${traits ? ` of ${traits.length} traits` : ''} (${pred.draws ? `${pred.draws} posterior draws` : 'posterior mean of β'}) to ${resolve(flags.out)}\n`,
    );
  } else {
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}

export function predictCommand(program: Command): void {
  program
    .command('predict')
    .argument('<runDir>', 'run directory of a marker model fit')
    .requiredOption('--geno <files...>', 'genotypes of the individuals to predict (.bed or CSV): one file for every set, or NAME=FILE per marker set')
    .option('--out <file>', 'write the predictions as CSV (id,mean,sd; id,trait,mean,sd for a multi-trait model) instead of printing them')
    .description('GEBVs (posterior mean and SD) of new individuals from a fitted marker model')
    .action((runDir: string, flags: { geno: string[]; out?: string }) => runPredict(runDir, flags));
}
