// The factored vs materialised statistics of one conv weight, side by side, over spatial sizes P and channels:
// `npx tsx test/bench/convStatsCrossover.ts [--b 64]` prints per-shape times, their ratio, and convCosts' pick.
import { convCosts, convFactored, convMaterialised, type ConvInputs } from '../../src/batching/convStats.js';
import { getBackend } from '../../src/backend/index.js';
import type { WindowGeom } from '../../src/backend/backend.js';
import { key, normal, split } from '../../src/rng/index.js';

const bIdx = process.argv.indexOf('--b');
const b = bIdx > 0 ? Number(process.argv[bIdx + 1]) : 64;

function time(fn: () => unknown): number {
  fn();
  let reps = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 300 || reps < 3) {
    fn();
    reps++;
  }
  return (performance.now() - t0) / reps;
}

console.log(`b = ${b}, backend ${getBackend().name}; times in ms per call (median of ≥ 300 ms of calls)`);
console.log('side  P    c_in  k  c_out  K     factored  materialised  fact/mat  convCosts picks');
for (const [side, cin, k, cout] of [[1, 32, 3, 64], [2, 32, 3, 64], [3, 32, 3, 64], [4, 32, 3, 64], [6, 32, 3, 64], [8, 32, 3, 64], [12, 32, 3, 64], [4, 8, 3, 8], [8, 8, 3, 8], [24, 1, 3, 32]] as const) {
  const g: WindowGeom = { n: b, c: cin, h: side, w: side, kh: k, kw: k, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1, oh: side, ow: side };
  const P = side * side;
  const K = cin * k * k;
  const [k1, k2, k3] = split(key(1), 3);
  const x = normal(k1!, b * cin * side * side);
  const U = new Float64Array(b * P * K);
  getBackend().unfold(x, g, U);
  const inputs: ConvInputs = { name: 'W', shape: [cout, cin, k, k], offset: 0, U, delta: normal(k2!, b * cout * P), b, P, K, cout, mean: normal(k3!, cout * K), r: null };
  const tf = time(() => convFactored(inputs, 1e-3, 'never'));
  const tm = time(() => convMaterialised(inputs));
  const c = convCosts(g, cout);
  console.log(`${String(side).padEnd(5)} ${String(P).padEnd(4)} ${String(cin).padEnd(5)} ${k}  ${String(cout).padEnd(6)} ${String(K).padEnd(5)} ${tf.toFixed(2).padStart(8)}  ${tm.toFixed(2).padStart(12)}  ${(tf / tm).toFixed(2).padStart(8)}  ${c.factored < c.materialised ? 'factored' : 'materialised'}`);
}
