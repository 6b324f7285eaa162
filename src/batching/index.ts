/** Public batch-statistics surface. */
export { batchGradStats, type BatchGradStats, type BatchGradStatsOptions } from './engine.js';
export { statsFromPerSampleGrads, type BlockRange } from './explicit.js';
export {
  statistics, combineBlocks, compensatedSum, summariseExplicitBlock,
  type BatchStatistics, type BlockSummary, type BlockMethod, type GradSummary,
} from './summary.js';
