/**
 * proofs-check runner: `npm run proofs [-- --quick] [--json FILE] [--only L2,L7] [--verbose]`.
 * Prints the table of SPEC §8's lemmas; exits with status 1 if a lemma is violated
 * or a negative check is not caught.
 */
import { writeFileSync } from 'node:fs';
import { formatTable, runProofs, toJson } from './report.js';

function parseArgs(argv: string[]): { quick: boolean; json: string | null; only: string[] | null; verbose: boolean } {
  let quick = false;
  let json: string | null = null;
  let only: string[] | null = null;
  let verbose = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') quick = true;
    else if (a === '--verbose' || a === '-v') verbose = true;
    else if (a === '--json') {
      const f = argv[++i];
      if (f === undefined) throw new Error('--json needs a file name');
      json = f;
    } else if (a === '--only') {
      const f = argv[++i];
      if (f === undefined) throw new Error('--only needs a comma-separated list of lemma ids');
      only = f.split(',').map((s) => s.trim().toUpperCase());
    } else if (a === '--help' || a === '-h') {
      console.log('usage: npm run proofs -- [--quick] [--json FILE] [--only L0,L2] [--verbose]');
      process.exit(0);
    } else throw new Error(`unknown argument ${a} (try --help)`);
  }
  return { quick, json, only, verbose };
}

const args = parseArgs(process.argv.slice(2));
const report = runProofs({ quick: args.quick }, {
  ...(args.only ? { only: args.only } : {}),
  onLemma: (r) => process.stderr.write(`  ${r.id} ${r.status}, ladder ${r.ladder.rungs.filter((g) => g.caught).length}/${r.ladder.rungs.length} caught, smallest ${r.ladder.smallest_caught ?? 'none'} (${r.seconds.toFixed(1)} s)\n`),
});
console.log(formatTable(report, { verbose: args.verbose }));
if (args.json !== null) {
  writeFileSync(args.json, JSON.stringify(toJson(report), null, 2) + '\n');
  console.log(`wrote ${args.json}`);
}
if (!report.allHold || !report.allCaught) process.exitCode = 1;
