/**
 * The batch-size tests of SPEC §3, one row each. Every row becomes a practical
 * controller (`testDriven`, lagged: tested on the batch just used) and, when
 * `oracle` is set, an exact one (`oracle`, at x_k before B_k is drawn); see
 * controllers.ts. Adding a test is one builder in src/batching and one row here.
 */
import {
  augIpTest, blockAugIpTest, blockIpTest, blockOrthTest, coordNormTest, ipTest, normTest, orthTest, type BatchSizeTest,
} from '../batching/tests/index.js';
import type { AnyDescriptor, Descriptor, ParamUses } from './types.js';

/** A test descriptor: the builder returns a batch-size test; `oracle` says whether an exact form exists. */
export type TestDescriptor<P extends ParamUses = ParamUses> = Descriptor<P, BatchSizeTest> & {
  /** The test has an exact (oracle) form at x from σ²(x), ∇F(x). */
  readonly oracle: boolean;
};

/** A row with its parameter types erased. */
export type AnyTestDescriptor = AnyDescriptor<BatchSizeTest> & { readonly oracle: boolean };

/** Type the row's builder by its params (an identity). */
export function sizeTest<P extends ParamUses>(d: TestDescriptor<P>): AnyTestDescriptor {
  return d as unknown as AnyTestDescriptor;
}

/** η = 0.1: the official AdAdaGrad code's default. */
const ETA = { default: 0.1 };
/** θ = 0.9, ν = 5.84: Bollapragada, Byrd, Nocedal (2018); the official code defaults to θ = ν = 0.1 (README example 0.5 and 1.0). */
const THETA = { default: 0.9 };
const NU = { default: 5.84 };

/** The batch-size tests, in the order of the README table. */
export const TESTS: readonly AnyTestDescriptor[] = [
  sizeTest({
    name: 'norm',
    summary: 'norm test',
    formula: 'S_norm/b ≤ η² ||ḡ||²; T = S_norm/(η² ||ḡ||²)',
    reference: 'Byrd, Chin, Nocedal, Wu 2012; Lau et al. (arXiv:2402.11215) §3; SPEC §3',
    params: { eta: ETA },
    oracle: true,
    build: (v) => normTest(v.eta),
  }),
  sizeTest({
    name: 'ip',
    summary: 'inner-product test',
    formula: 'S_ip/b ≤ θ² ||ḡ||⁴; T = S_ip/(θ² ||ḡ||⁴)',
    reference: 'Bollapragada, Byrd, Nocedal 2018 (arXiv:1710.11258); SPEC §3',
    params: { theta: THETA },
    oracle: true,
    build: (v) => ipTest(v.theta),
  }),
  sizeTest({
    name: 'orth',
    summary: 'orthogonality test',
    formula: 'S_orth/b ≤ ν² ||ḡ||²; T = S_orth/(ν² ||ḡ||²)',
    reference: 'Bollapragada, Byrd, Nocedal 2018 (arXiv:1710.11258); SPEC §3',
    params: { nu: NU },
    oracle: true,
    build: (v) => orthTest(v.nu),
  }),
  sizeTest({
    name: 'aug-ip',
    summary: 'augmented inner-product test (ip and orth)',
    formula: 'T = max(T_ip(θ), T_orth(ν))',
    reference: 'Bollapragada, Byrd, Nocedal 2018 (arXiv:1710.11258); SPEC §3',
    params: { theta: THETA, nu: NU },
    oracle: true,
    build: (v) => augIpTest(v.theta, v.nu),
  }),
  sizeTest({
    name: 'coord-norm',
    summary: 'coordinate-wise norm test (AdAdaGrad)',
    formula: 'S_j/b ≤ η² ḡ_j² for every j; T = q-quantile_j S_j/(η² ḡ_j²), skipping ḡ_j² ≤ floor·max ḡ²',
    reference: 'Lau et al. (arXiv:2402.11215) §3; SPEC §3',
    params: { eta: ETA, coordFloor: { default: 1e-12 }, quantile: { default: 1 } },
    oracle: true,
    build: (v) => coordNormTest(v.eta, { coordFloor: v.coordFloor, quantile: v.quantile }),
  }),
  sizeTest({
    name: 'block-ip',
    summary: 'block-wise inner-product test (per parameter block, cross-block covariance dropped)',
    formula: 'S_ip summed over blocks; T as for ip',
    reference: 'official AdAdaGrad code (tests.py); SPEC §3',
    params: { theta: THETA },
    oracle: false,
    build: (v) => blockIpTest(v.theta),
  }),
  sizeTest({
    name: 'block-orth',
    summary: 'block-wise orthogonality test (per parameter block)',
    formula: 'S_orth summed over blocks; T as for orth',
    reference: 'official AdAdaGrad code (tests.py); SPEC §3',
    params: { nu: NU },
    oracle: false,
    build: (v) => blockOrthTest(v.nu),
  }),
  sizeTest({
    name: 'block-aug-ip',
    summary: 'block-wise augmented inner-product test (the official "ip+orth")',
    formula: 'T = max(T_ip^blk(θ), T_orth^blk(ν))',
    reference: 'official AdAdaGrad code (tests.py); SPEC §2–3',
    params: { theta: THETA, nu: NU },
    oracle: false,
    build: (v) => blockAugIpTest(v.theta, v.nu),
  }),
];

/** The test of a name (undefined if none). */
export function testNamed(name: string): AnyTestDescriptor | undefined {
  return TESTS.find((t) => t.name === name);
}
