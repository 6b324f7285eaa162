/**
 * Run and sweep configuration files, one concept per file under ./config/:
 * issues.ts (messages naming the field), schema.ts (zod schemas derived from the
 * registry), check.ts (semantic checks against the problem), run.ts and
 * sweep.ts (parse, expand, shard). This module keeps the historical import path.
 */
export { ConfigFileError, formatPath, type ConfigIssue } from './config/issues.js';
export { runConfigSchema, sweepConfigSchema, type RawRunConfig, type RunConfig, type SweepConfig } from './config/schema.js';
export { ProblemCache } from './config/check.js';
export { parseRunConfig } from './config/run.js';
export { expandSweep, parseShard, parseSweepConfig, shardOf, type PlannedRun } from './config/sweep.js';
export { HYPER_NAMES } from '../registry/index.js';
