// Family-specific facts of the GLM families (1 nclogreg, 2 robust, 3 sigmoid): the curvature bounds behind each L.
import { describe, expect, it } from 'vitest';
import { fromArray } from '../../../src/index.js';
import { key, normal } from '../../../src/rng/index.js';
import { lambdaMax } from '../../../problems/common/linalg.js';
import { logisticLoss, nclogreg, ncRegulariser } from '../../../problems/families/nclogreg.js';
import { robustLoss, robustRegression, type RobustLossName } from '../../../problems/families/robust.js';
import { SIGMOID_MAX_CURVATURE, sigmoidClassification, sigmoidLoss } from '../../../problems/families/sigmoidloss.js';
import type { MarginLoss } from '../../../problems/common/glm.js';

/** Second derivative of φ(·, y) in z by central differences of the analytic first derivative. */
function curvatures(phi: MarginLoss, y: number, zs: Float64Array): Float64Array {
  const h = 1e-6;
  return zs.map((z) => (phi.deriv(z + h, y) - phi.deriv(z - h, y)) / (2 * h));
}

const GRID = Float64Array.from({ length: 20001 }, (_, i) => -20 + i * 0.002);

describe('nclogreg (family 1)', () => {
  it("the regulariser's second derivative lies in [−1/2, 2], with both ends attained (at 0 and ±1)", () => {
    const h = 1e-6;
    const r1 = (t: number): number => {
      const out = new Float64Array(1);
      ncRegulariser.gradInto(new Float64Array([t]), out, 1);
      return out[0]!;
    };
    const r2 = GRID.map((t) => (r1(t + h) - r1(t - h)) / (2 * h));
    expect(Math.max(...r2)).toBeCloseTo(2, 6);
    expect(Math.min(...r2)).toBeCloseTo(-0.5, 6);
    expect(Math.max(...r2.map(Math.abs))).toBeLessThanOrEqual(ncRegulariser.maxCurvature + 1e-6);
  });
  it('the logistic loss has curvature ≤ 1/4 and the tensor form equals the scalar form', () => {
    const c = curvatures(logisticLoss, 1, GRID);
    expect(Math.max(...c)).toBeCloseTo(0.25, 6);
    expect(Math.min(...c)).toBeGreaterThanOrEqual(-1e-9);
    const z = normal(key(1), 6, 0, 5);
    const y = Float64Array.from([1, -1, 1, -1, 1, -1]);
    const t = logisticLoss.tensor(fromArray(z), fromArray(y)).toFloat64Array();
    t.forEach((v, i) => expect(v).toBeCloseTo(logisticLoss.value(z[i]!, y[i]!), 13));
  });
  it('L = λ_max(XᵀX/n)/4 + 2λ is attained at w = 0 (the bound is tight); the κ suffix appears in the id', () => {
    const p = nclogreg({ d: 10, n: 3000, instance: 0, kappa: 1000 });
    const info = p.info as { lambdaMaxGram: number; lambda: number };
    expect(p.constants.L.value).toBeCloseTo(info.lambdaMaxGram / 4 + 2 * info.lambda, 8);
    // Hessian at 0 is (1/4) XᵀX/n + 2λ I: its top eigenvalue is L.
    const d = 10;
    const H = new Float64Array(d * d);
    const eps = 1e-6;
    for (let j = 0; j < d; j++) {
      const e = new Float64Array(d);
      e[j] = eps;
      const gp = p.gradient(e);
      const gm = p.gradient(e.map((v) => -v));
      for (let k = 0; k < d; k++) H[k * d + j] = (gp[k]! - gm[k]!) / (2 * eps);
    }
    for (let a = 0; a < d; a++) for (let b = a + 1; b < d; b++) H[a * d + b] = H[b * d + a] = (H[a * d + b]! + H[b * d + a]!) / 2;
    expect(lambdaMax(H, d) / p.constants.L.value).toBeGreaterThan(1 - 1e-6);
    expect(lambdaMax(H, d) / p.constants.L.value).toBeLessThanOrEqual(1 + 1e-6);
    // The covariance's top eigenvalue is 1, so the empirical λ_max is near 1.
    expect(info.lambdaMaxGram).toBeGreaterThan(0.9);
    expect(info.lambdaMaxGram).toBeLessThan(1.2);
    const q = nclogreg({ d: 10, n: 3000, instance: 0 });
    expect(q.id).toBe('nclogreg_d10_n3000_i0');
    expect(p.id).toBe('nclogreg_d10_n3000_i0_k1000');
  });
});

describe('robust regression (family 2)', () => {
  const minima: Record<RobustLossName, number> = {
    cauchy: -1 / 8,
    gemanmcclure: -1 / 4,
    welsch: -2 * Math.exp(-1.5),
  };
  for (const name of ['cauchy', 'gemanmcclure', 'welsch'] as const) {
    it(`${name}: sup ρ'' = 1 at r = 0 and inf ρ'' = ${minima[name].toFixed(4)}, for c = 1 and c = 2.5; ρ ≥ 0`, () => {
      for (const c of [1, 2.5]) {
        const phi = robustLoss(name, c);
        const curv = curvatures(phi, 0.3, GRID.map((z) => z * c));
        expect(Math.max(...curv)).toBeCloseTo(1, 6);
        expect(Math.min(...curv)).toBeCloseTo(minima[name], 5);
        expect(Math.max(...curv.map(Math.abs))).toBeLessThanOrEqual(phi.maxCurvature + 1e-6);
        expect(GRID.every((z) => phi.value(z, 0.3) >= 0)).toBe(true);
        expect(phi.value(0.3, 0.3)).toBe(0);
        const z = normal(key(2), 5, 0, 3);
        const y = normal(key(3), 5);
        const t = phi.tensor(fromArray(z), fromArray(y)).toFloat64Array();
        t.forEach((v, i) => expect(v).toBeCloseTo(phi.value(z[i]!, y[i]!), 12));
      }
    });
  }
  it('the three losses share the data of an instance and L = λ_max(XᵀX/n)', () => {
    const ps = (['cauchy', 'gemanmcclure', 'welsch'] as const).map((loss) =>
      robustRegression({ loss, d: 8, n: 500, instance: 2 }),
    );
    const w = ps.map((p) => Array.from((p.info as { wStar: Float64Array }).wStar));
    expect(w[1]).toEqual(w[0]);
    expect(w[2]).toEqual(w[0]);
    for (const p of ps) expect(p.constants.L.value).toBeCloseTo((p.info as { lambdaMaxGram: number }).lambdaMaxGram, 8);
    // The least-squares limit c → ∞ is not the default: a large residual is discounted.
    const x = new Float64Array(8).fill(100);
    for (const p of ps) expect(p.value(x)).toBeLessThan(0.5 * 1e6);
  });
});

describe('sigmoid loss (family 3)', () => {
  it('sup |σ″| = 1/(6√3), attained where σ = (3 ± √3)/6; the loss lies in (0, 1)', () => {
    const curv = curvatures(sigmoidLoss, 1, GRID);
    expect(Math.max(...curv.map(Math.abs))).toBeCloseTo(SIGMOID_MAX_CURVATURE, 7);
    const at = Math.log((3 + Math.sqrt(3)) / (3 - Math.sqrt(3))); // σ(at) = (3 + √3)/6
    const hh = 1e-5;
    const c = (sigmoidLoss.deriv(-at + hh, 1) - sigmoidLoss.deriv(-at - hh, 1)) / (2 * hh);
    expect(Math.abs(c)).toBeCloseTo(SIGMOID_MAX_CURVATURE, 8);
    expect(GRID.every((z) => sigmoidLoss.value(z, -1) > 0 && sigmoidLoss.value(z, -1) < 1)).toBe(true);
  });
  it('F ∈ (0, 1) and L = λ_max(XᵀX/n)/(6√3)', () => {
    const p = sigmoidClassification({ d: 6, n: 400, instance: 1 });
    for (const s of [0, 1, 10]) {
      const v = p.value(normal(key(s), 6, 0, s));
      expect(v).toBeGreaterThan(0);
      expect(v).toBeLessThan(1);
    }
    expect(p.constants.L.value).toBeCloseTo((p.info as { lambdaMaxGram: number }).lambdaMaxGram * SIGMOID_MAX_CURVATURE, 8);
  });
});
