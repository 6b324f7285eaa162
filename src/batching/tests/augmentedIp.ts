/**
 * The augmented inner-product test (Bollapragada, Byrd, Nocedal 2018; docs/MATH.md §3):
 * ip(θ) and orth(ν) both hold; it asks for T = max(T_ip, T_orth).
 */
import { combineBoth } from './decision.js';
import { ipTest } from './innerProduct.js';
import { orthTest } from './orthogonality.js';
import type { BatchSizeTest, TestOptions } from './types.js';

export function augIpTest(theta: number, nu: number, opts: TestOptions = {}): BatchSizeTest {
  const ip = ipTest(theta, opts);
  const orth = orthTest(nu, opts);
  return {
    name: 'aug-ip',
    params: { theta, nu },
    needs: { alongGrad: true },
    reads: ['S_ip', 'S_orth'],
    sample: (s) => combineBoth(ip.sample(s), orth.sample(s)),
    exact: (q, b) => combineBoth(ip.exact(q, b), orth.exact(q, b)),
  };
}
