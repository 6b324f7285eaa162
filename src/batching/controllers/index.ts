/** Batch-size controllers, one file per family (docs/MATH.md §3 and §5). */
export {
  needExact,
  type Controller, type ControllerContext, type ControllerInitContext, type ControllerDecision, type ControllerNeed, type ExactOracle,
} from './types.js';
export { constant } from './constant.js';
export { applyRule, testDriven, oracle, type TestDrivenOptions } from './testDriven.js';
export {
  sebs, stagewiseSgd, linearRamp, geometric, smith,
  type SebsOptions, type StagewiseSgdOptions, type StageState, type SmithState,
} from './schedules.js';
export { cabs, gns, GNS_FLOOR, type GnsState } from './noiseScale.js';
export { adaDamp, type AdaDampState } from './adaDamp.js';
