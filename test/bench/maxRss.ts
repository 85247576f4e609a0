/** Preloaded (node --import) into a child whose peak RSS a benchmark reads: prints it last on stderr. */
process.on('exit', () => {
  process.stderr.write(`\nmaxRSS ${process.resourceUsage().maxRSS}\n`);
});
