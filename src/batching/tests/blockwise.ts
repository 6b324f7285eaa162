/**
 * Block-wise tests (docs/MATH.md §2–3), as the official AdAdaGrad code's `tests.py`
 * computes them: per parameter block p, S_ip^blk = Σ_p Var_i ⟨g_i^p, ḡ^p⟩ and
 * S_orth^blk = Σ_p (1/(b−1)) Σ_i ||o_i^p − ō^p||² with each block projected on its
 * OWN mean, o_i^p = g_i^p − (⟨g_i^p, ḡ^p⟩/||ḡ^p||²) ḡ^p; the tests divide by the
 * global ||ḡ||² = Σ_p ||ḡ^p||² (squared for ip).
 *
 * Labelled: they drop cross-block covariance, so they are not the tests of the
 * papers' theory; they are sample-only (no exact form). The official
 * experiments use them ("ip", "ip+orth" in `main.py`).
 */
import { combineBoth, positive } from './decision.js';
import { ipDecision } from './innerProduct.js';
import { orthDecision } from './orthogonality.js';
import type { BatchSizeTest, TestOptions } from './types.js';

function noExact(name: string): () => never {
  return () => {
    throw new Error(`${name}: no exact form (block-wise tests are sample-only)`);
  };
}

/** Block-wise inner-product test: S_ip^blk/b ≤ θ² ||ḡ||⁴, T = S_ip^blk/(θ²||ḡ||⁴). */
export function blockIpTest(theta: number, opts: TestOptions = {}): BatchSizeTest {
  positive('blockIpTest', 'theta', theta);
  const floor = opts.gradFloor ?? 0;
  const t2 = theta * theta;
  return {
    name: 'block-ip',
    params: { theta },
    needs: { alongGrad: true },
    reads: ['blockwise.S_ip'],
    sample: (s) => ipDecision(s.blockwise.S_ip, s.gradNormSq, s.b, t2, floor),
    exact: noExact('blockIpTest'),
  };
}

/** Block-wise orthogonality test: S_orth^blk/b ≤ ν² ||ḡ||², T = S_orth^blk/(ν²||ḡ||²). */
export function blockOrthTest(nu: number, opts: TestOptions = {}): BatchSizeTest {
  positive('blockOrthTest', 'nu', nu);
  const floor = opts.gradFloor ?? 0;
  const n2 = nu * nu;
  return {
    name: 'block-orth',
    params: { nu },
    needs: { alongGrad: true },
    reads: ['blockwise.S_orth'],
    sample: (s) => orthDecision(s.blockwise.S_orth, s.gradNormSq, s.b, n2, floor),
    exact: noExact('blockOrthTest'),
  };
}

/**
 * Block-wise augmented inner-product test (the official "ip+orth"): block-ip(θ)
 * and block-orth(ν) both hold; T = max(T_ip^blk, T_orth^blk).
 */
export function blockAugIpTest(theta: number, nu: number, opts: TestOptions = {}): BatchSizeTest {
  const ip = blockIpTest(theta, opts);
  const orth = blockOrthTest(nu, opts);
  return {
    name: 'block-aug-ip',
    params: { theta, nu },
    needs: { alongGrad: true },
    reads: ['blockwise.S_ip', 'blockwise.S_orth'],
    sample: (s) => combineBoth(ip.sample(s), orth.sample(s)),
    exact: noExact('blockAugIpTest'),
  };
}
