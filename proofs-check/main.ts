/**
 * proofs-check runner: `npm run proofs [-- --quick] [--json FILE] [--only L2,L7] [--verbose] [--replicates N]`.
 * Prints the table of SPEC §8's lemmas and their fault ladders; exits with status 1
 * if a lemma is violated or a lemma's claimed smallest fault is not caught.
 * `--replicates N` instead reruns the Monte Carlo lemmas N times with independent
 * fresh batches and prints each rung's catch rate and the false-fail rate.
 */
import { writeFileSync } from 'node:fs';
import { MC_LEMMAS, formatReplicates, formatTable, runProofs, runReplicates, toJson } from './report.js';

const USAGE = 'usage: npm run proofs -- [--quick] [--json FILE] [--only L0,L2] [--verbose] [--replicates N]';

function parseArgs(argv: string[]): { quick: boolean; json: string | null; only: string[] | null; verbose: boolean; replicates: number | null } {
  let quick = false;
  let json: string | null = null;
  let only: string[] | null = null;
  let verbose = false;
  let replicates: number | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') quick = true;
    else if (a === '--verbose' || a === '-v') verbose = true;
    else if (a === '--json') {
      const f = argv[++i];
      if (f === undefined) fail('--json needs a file name');
      json = f;
    } else if (a === '--only') {
      const f = argv[++i];
      if (f === undefined) fail('--only needs a comma-separated list of lemma ids');
      only = f.split(',').map((s) => s.trim().toUpperCase());
    } else if (a === '--replicates') {
      const f = argv[++i];
      const n = Number(f);
      if (f === undefined || !Number.isInteger(n) || n < 1) fail(`--replicates needs an integer ≥ 1, got ${f ?? 'nothing'}`);
      replicates = n;
    } else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else fail(`unknown argument ${a} (try --help)`);
  }
  return { quick, json, only, verbose, replicates };
}

function fail(msg: string): never {
  console.error(`proofs: ${msg}\n${USAGE}`);
  process.exit(2);
}

const args = parseArgs(process.argv.slice(2));
if (args.replicates !== null) {
  const ids = args.only ?? MC_LEMMAS;
  const rep = runReplicates({ quick: args.quick }, args.replicates, ids, (r) => process.stderr.write(`  replicate ${r + 1}/${args.replicates}\n`));
  console.log(formatReplicates(rep));
  if (args.json !== null) {
    writeFileSync(args.json, JSON.stringify(rep, null, 2) + '\n');
    console.log(`wrote ${args.json}`);
  }
  process.exit(0);
}
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
