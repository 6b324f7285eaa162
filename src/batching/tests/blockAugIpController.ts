/**
 * The test-driven controller of the block-wise augmented inner-product test
 * (the official "ip+orth"): b_{k+1} = min(b_max, ⌈max(b_k, T_k)⌉) with
 * T_k = max(T_ip^blk, T_orth^blk) from the batch just used (SPEC §2–3).
 */
import { testDriven, type Controller, type TestDrivenOptions } from '../controllers.js';
import { blockAugIpTest } from './blockwise.js';
import type { TestOptions } from './types.js';

export function blockAugIpController(theta: number, nu: number, o: TestDrivenOptions, opts: TestOptions = {}): Controller {
  return testDriven(blockAugIpTest(theta, nu, opts), o);
}
