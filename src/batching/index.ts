/** Public batch-statistics surface. */
export { batchGradStats, type BatchGradStats, type BatchGradStatsOptions } from './engine.js';
export { createStatsWorkspace, type StatsWorkspace, type WorkspaceStamp } from './workspace.js';
export { statsFromPerSampleGrads, type BlockRange } from './explicit.js';
export {
  statistics, availableStatistics, presentStats, combineBlocks, compensatedSum, compensatedSumSq, summariseExplicitBlock,
  type BatchStatistics, type PartialStatistics, type BlockSummary, type BlockMethod, type GradSummary,
} from './summary.js';
export { BATCH_STATS, unionStats, partsFor, type BatchStat, type SummaryParts } from './needs.js';
export { statisticsView, UndeclaredStatisticError } from './statsView.js';
export {
  normTest, ipTest, orthTest, augIpTest, coordNormTest, blockIpTest, blockOrthTest, blockAugIpTest, exactQuantities,
  officialDeviceStats, officialPool, pooledStatistics, officialPartition, poolSummaries, checkPoolingSplit,
  type BatchSizeTest, type TestDecision, type ExactQuantities, type TestOptions, type CoordTestOptions, type ExactOptions,
  type OfficialDeviceStats, type OfficialDeviceBlockStats, type OfficialPooled, type PooledStatisticsOptions, type PoolUnit, type PoolingSplit,
} from './tests/index.js';
export {
  constant, testDriven, oracle, sebs, stagewiseSgd, linearRamp, geometric, smith, cabs, gns, adaDamp, applyRule, needExact, GNS_FLOOR,
  type Controller, type ControllerContext, type ControllerInitContext, type ControllerDecision, type ControllerNeed, type ExactOracle,
  type TestDrivenOptions, type SebsOptions, type StagewiseSgdOptions, type StageState, type SmithState, type GnsState, type AdaDampState,
} from './controllers.js';
export { blockAugIpController } from './tests/blockAugIpController.js';
export { officialTestDriven } from './tests/officialRule.js';
