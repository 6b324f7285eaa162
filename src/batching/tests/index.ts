/**
 * The batch-size tests of docs/MATH.md §3, one file each: norm, inner product,
 * orthogonality, augmented inner product, coordinate-wise norm, the block-wise
 * variants of the official code, the exact quantities of their population
 * forms, and the official M-device pooled statistics.
 */
export type { BatchSizeTest, TestDecision, ExactQuantities, TestOptions } from './types.js';
export { normTest } from './norm.js';
export { ipTest } from './innerProduct.js';
export { orthTest } from './orthogonality.js';
export { augIpTest } from './augmentedIp.js';
export { coordNormTest, type CoordTestOptions } from './coordNorm.js';
export { blockIpTest, blockOrthTest, blockAugIpTest } from './blockwise.js';
export { exactQuantities, type ExactOptions } from './exact.js';
export {
  officialDeviceStats, officialPool, pooledStatistics, officialPartition, poolSummaries, checkPoolingSplit,
  type OfficialDeviceStats, type OfficialDeviceBlockStats, type OfficialPooled, type PooledStatisticsOptions, type PoolUnit, type PoolingSplit,
} from './officialPooled.js';
