#!/usr/bin/env node
/** Entry point of the `adadagrad` command (package `bin`: dist/src/cli/main.js; in development: npx tsx src/cli/main.ts). */
import { runCli } from './program.js';

process.exitCode = await runCli(process.argv.slice(2));
