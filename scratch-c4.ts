import { getProblem } from './problems/index.js';
import { adagradNorm, adagrad } from './src/optim/index.js';
import { normTest, augIpTest, coordNormTest, testDriven } from './src/batching/index.js';
import { key } from './src/rng/index.js';
import { checkRate, startNear, geometricGrid, spectrumExponentFor } from './src/testing/index.js';

const [test, d, Kmax, lr, eta] = [process.argv[2] ?? 'norm', Number(process.argv[3] ?? 4), Number(process.argv[4] ?? 1024), Number(process.argv[5] ?? 1), Number(process.argv[6] ?? 1)];
const fam = test === 'coord-norm' ? 'nqm-rot' : 'nqm';
const a = spectrumExponentFor(d, 4 * Kmax);
const id = `${fam}_d${d}_i0_a${a}`;
const p = startNear(getProblem(id), 0.1);
const t = test === 'norm' ? normTest(eta) : test === 'aug-ip' ? augIpTest(0.9, 5.84) : coordNormTest(eta, { coordFloor: Number(process.env.FLOOR ?? 1e-4) });
const t0 = Date.now();
const res = checkRate({
  variant: { name: test, optimizer: () => (test === 'coord-norm' ? adagrad(lr) : adagradNorm(lr, 0.5)), controller: () => testDriven(t, { b0: 2, bMax: 2 ** Number(process.env.BMAXP ?? 40) }), twinBatch: 2 },
  problem: p, Ks: geometricGrid(32, Kmax), seeds: 10, key: key(1), bMax: 2 ** Number(process.env.BMAXP ?? 40), twinRepeats: 5,
});
console.log(id, res.source, res.decision, 'slope', res.slope?.toFixed(2), res.slopeCI?.map((v) => v.toFixed(2)), 'twin', res.twin?.power, res.twin?.slopes.map((v) => v?.toFixed(2)).join(' '), 'maxb', Math.max(...res.runs.map((r) => r.maxBatch ?? 0)), res.reasons.join('; '), ((Date.now() - t0) / 1000).toFixed(1), 's');
