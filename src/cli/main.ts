#!/usr/bin/env node
/** Entry point of the `adadagrad` command (package `bin`: dist/src/cli/main.js; in development: npx tsx src/cli/main.ts). */
import { describeBackend } from '../backend/index.js';
import { runCli } from './program.js';

const argv = process.argv.slice(2);
// the commands that compute say once, on stderr, which backend they compute on
if (['run', 'sweep', 'reproduce'].includes(argv[0] ?? '') && !argv.includes('--help') && !argv.includes('-h')) {
  process.stderr.write(`adadagrad: backend ${describeBackend()}\n`);
}
process.exitCode = await runCli(argv);
