/**
 * `npm run bench:peers [-- --quick] [-- --json FILE]`
 *
 * Our batch statistics against PyTorch on the same MNIST rows and weights as
 * `npm run bench` (softmax 784→10 and the tanh MLP 784-256-10, b ∈ {256, 4096}, float64
 * and float32), in one run: ours on js and on wasm (2 threads), then test/bench/peers.py
 * (closed-form statistics in PyTorch, torch.func vmap, BackPACK when installed, the
 * mean gradient by torch autograd) on the rows and weights written to a temporary
 * folder. Checks that every method's ||ḡ||², S_norm, S_ip, S_orth and Σ_j S_j agree
 * with ours and prints the times and ratios side by side. Skipped, with a message, when
 * python3 with torch is not there.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cast, fromArray, type Tensor } from '../../src/index.js';
import { getBackend, setBackend } from '../../src/backend/index.js';
import { attachSparseRows, sparseRowsOf } from '../../src/backend/sparseRows.js';
import { key, split, type Key } from '../../src/rng/index.js';
import { drawBatch, engineStats, loadData, makeModel, meanGradient, type Batch, type BenchModel, type ModelName } from './cases.js';
import { fmtMs, formatTable, measureInterleaved, parseArgs, writeMergedJson } from './harness.js';

const args = parseArgs(process.argv.slice(2));
const SEED = 20240301; // the seed of test/bench/run.ts: the same rows and weights
const MODELS: ModelName[] = ['softmax', 'mlp'];
const BATCHES = [256, 4096];
const VALUES = ['gradNormSq', 'S_norm', 'S_ip', 'S_orth', 'sum_S_j'] as const;
type Values = Record<(typeof VALUES)[number], number>;
const log = (s: string) => process.stdout.write(`${s}\n`);

interface PeerMethod {
  readonly ms: number;
  readonly values: Partial<Values>;
}
interface PeerRow {
  readonly model: ModelName;
  readonly b: number;
  readonly dtype: 'float64' | 'float32';
  readonly closed: PeerMethod;
  readonly mean: PeerMethod;
  readonly vmap: PeerMethod;
  readonly backpack?: PeerMethod;
}

/** python3 with torch, or the reason it is not usable. */
function findTorch(): { python: string; version: string } | string {
  const python = process.env['PYTHON'] ?? 'python3';
  const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  if (r.error !== undefined) return `${python} not found (${r.error.message})`;
  if (r.status !== 0) return `${python} has no torch (${(r.stderr.trim().split('\n').pop() ?? '').slice(0, 200)}); try \`pip install torch\``;
  return { python, version: r.stdout.trim() };
}

function foldKey(k: Key, i: number): Key {
  return split(k, i + 1)[i]!;
}

/**
 * The model's weights and the batch in float32 (the statistics stay float64), the batch
 * with its sparse companion as the MNIST problems hand a float32 model its rows.
 */
function asFloat32(m: BenchModel, bt: Batch): { model: BenchModel; batch: Batch } {
  const params = m.params.map((p) => cast(p, 'float32'));
  const x32 = Float32Array.from(bt.Xf);
  const sp = sparseRowsOf(bt.Xf);
  if (sp !== undefined) attachSparseRows(x32, sp.data, sp.indices);
  return { model: { ...m, params }, batch: { ...bt, X: fromArray(x32, [bt.b, bt.Xf.length / bt.b]) } };
}

function ourValues(m: BenchModel, bt: Batch): Values {
  const st = engineStats(m, bt).st;
  let sj = 0;
  for (const v of st.S_j) sj += v;
  return { gradNormSq: st.gradNormSq, S_norm: st.S_norm, S_ip: st.S_ip, S_orth: st.S_orth, sum_S_j: sj };
}

function maxRelDiff(a: Partial<Values>, b: Partial<Values>): number {
  let m = 0;
  for (const k of VALUES) {
    const x = a[k];
    const y = b[k];
    if (x === undefined || y === undefined) continue;
    m = Math.max(m, Math.abs(x - y) / Math.max(Math.abs(y), 1e-300));
  }
  return m;
}

function writeF64(dir: string, name: string, x: Float64Array): string {
  writeFileSync(join(dir, name), new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
  return name;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const torch = findTorch();
  if (typeof torch === 'string') {
    log(`# bench:peers skipped: ${torch}`);
    return;
  }
  const data = await loadData(SEED, 8192);
  log(`# peers benchmark (${args.quick ? 'quick' : 'full'} run), node ${process.version}, torch ${torch.version}, seed ${SEED}`);
  log(`# data: ${data.note}; load average at the start ${loadavg().map((v) => v.toFixed(1)).join(' ')} on ${cpus().length} cores`);
  log(`# every timed function (ours and the peers') is warmed up for at least ${args.quick ? 300 : 1000} ms and ${args.quick ? 2 : 3} calls first: steady-state medians`);
  const [, kModel, kBatch] = split(key(SEED), 3) as [Key, Key, Key];
  const mk = split(kModel, MODELS.length);
  const dir = mkdtempSync(join(tmpdir(), 'adadagrad-peers-'));
  // a minimum warm-up time as well as a count, on both sides: our step is JIT-compiled and
  // reaches its steady speed (that of a training loop) only after tens of calls at b = 256
  const warmupMs = args.quick ? 300 : 1000;
  const manifest: { threads: number; quick: boolean; warmupMs: number; cases: unknown[] } = { threads: 2, quick: args.quick, warmupMs, cases: [] };
  /** ours, per (model, b, dtype): times per backend and the values on js */
  const ours = new Map<string, { stats: Record<string, number>; mean: Record<string, number>; values: Values; wasmValues: Values }>();
  const reps = (b: number) => (args.quick ? { warmup: 2, reps: b <= 256 ? 9 : 3, warmupMs } : { warmup: 3, reps: b <= 256 ? 21 : 7, warmupMs });
  try {
    for (const [mi, name] of MODELS.entries()) {
      const model = makeModel(name, mk[mi]!);
      const bk = split(foldKey(kBatch, mi), BATCHES.length);
      for (const [bi, b] of BATCHES.entries()) {
        const batch = drawBatch(data, b, bk[bi]!);
        const tag = `${name}_b${b}`;
        manifest.cases.push({
          model: name, b,
          X: writeF64(dir, `X_${tag}.f64`, batch.Xf),
          labels: (writeFileSync(join(dir, `y_${tag}.i32`), new Uint8Array(batch.labels.buffer, batch.labels.byteOffset, batch.labels.byteLength)), `y_${tag}.i32`),
          params: model.params.map((p: Tensor, pi) => ({ file: writeF64(dir, `p${pi}_${tag}.f64`, p.toFloat64Array()), shape: [...p.shape] })),
        });
        for (const dtype of ['float64', 'float32'] as const) {
          const { model: m, batch: bt } = dtype === 'float64' ? { model, batch } : asFloat32(model, batch);
          const stats: Record<string, number> = {};
          const mean: Record<string, number> = {};
          let values: Values | null = null;
          let wasmValues: Values | null = null;
          for (const be of ['js', 'wasm'] as const) {
            setBackend(be, be === 'wasm' ? { threads: 2 } : undefined);
            if (be === 'js') values = ourValues(m, bt);
            else wasmValues = ourValues(m, bt);
            const [rs, rm] = measureInterleaved([() => engineStats(m, bt), () => meanGradient(m, bt)], reps(b));
            stats[`${be} ${getBackend().mode}`] = rs!.median_ms;
            mean[`${be} ${getBackend().mode}`] = rm!.median_ms;
          }
          setBackend('js');
          ours.set(`${tag}_${dtype}`, { stats, mean, values: values!, wasmValues: wasmValues! });
          process.stderr.write(`# ours: ${tag} ${dtype} done\n`);
        }
      }
    }
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    const script = fileURLToPath(new URL('./peers.py', import.meta.url));
    const out = execFileSync(torch.python, [script, dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 });
    const peers = JSON.parse(out) as { torch: string; threads: number; backpack: string | null; cases: PeerRow[] };

    const rows: string[][] = [];
    const meanRows: string[][] = [];
    const agreement: Record<string, number> = {};
    const ratios: Record<string, number> = {};
    for (const p of peers.cases) {
      const tag = `${p.model}_b${p.b}_${p.dtype}`;
      const o = ours.get(tag)!;
      const js = Object.entries(o.stats).find(([k]) => k.startsWith('js'))![1];
      const wasm = Object.entries(o.stats).find(([k]) => k.startsWith('wasm'))![1];
      const best = Math.min(js, wasm);
      const ref = p.dtype === 'float64' ? o.values : o.values; // our float64 statistics of the same (rounded) inputs
      for (const [meth, pm] of [['closed', p.closed], ['vmap', p.vmap], ...(p.backpack ? [['backpack', p.backpack] as const] : [])] as const) {
        agreement[`${meth}_${tag}`] = maxRelDiff(pm.values, ref);
      }
      agreement[`wasm_${tag}`] = maxRelDiff(o.wasmValues, o.values);
      ratios[`stats_ours_over_closed_${tag}`] = best / p.closed.ms;
      rows.push([
        p.model, String(p.b), p.dtype, fmtMs(js), fmtMs(wasm), fmtMs(p.closed.ms), fmtMs(p.vmap.ms), p.backpack ? fmtMs(p.backpack.ms) : '–',
        (best / p.closed.ms).toFixed(2), agreement[`closed_${tag}`]!.toExponential(1),
      ]);
      const mjs = Object.entries(o.mean).find(([k]) => k.startsWith('js'))![1];
      const mw = Object.entries(o.mean).find(([k]) => k.startsWith('wasm'))![1];
      ratios[`mean_ours_over_autograd_${tag}`] = Math.min(mjs, mw) / p.mean.ms;
      meanRows.push([p.model, String(p.b), p.dtype, fmtMs(mjs), fmtMs(mw), fmtMs(p.mean.ms), (Math.min(mjs, mw) / p.mean.ms).toFixed(2)]);
    }
    log('');
    log(`batch statistics (||ḡ||², S_norm, S_ip, S_orth, S_j), median ms; torch ${peers.torch} on ${peers.threads} threads; BackPACK ${peers.backpack ?? 'not installed'}`);
    log(formatTable(['model', 'b', 'dtype', 'ours js', 'ours wasm', 'torch closed-form', 'torch vmap', 'BackPACK', 'ours (best) / closed', 'closed vs ours (max rel. diff)'], rows));
    log('  goals: ours / closed-form ≤ 1.0 in float64, ≤ 1.5 in float32. The peers see the same rows and weights (float32: rounded from them);');
    log('  ours computes its statistics in float64 in both cases, so the float32 rows differ from ours by float32 rounding.');
    log('');
    log('mean gradient only, median ms');
    log(formatTable(['model', 'b', 'dtype', 'ours js', 'ours wasm', 'torch autograd', 'ours (best) / autograd'], meanRows));
    log('  goal: ours / autograd ≤ 1.5');
    log('');
    log(`agreement with ours (max relative difference over the five values): ${Object.entries(agreement).map(([k, v]) => `${k} ${v.toExponential(1)}`).join(', ')}`);
    log(`load average at the end ${loadavg().map((v) => v.toFixed(1)).join(' ')} on ${cpus().length} cores; total ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    if (args.json !== null) {
      writeMergedJson(args.json, {
        cases: [],
        ratios,
        peers: { date: new Date().toISOString(), torch: peers.torch, backpack: peers.backpack, ours: Object.fromEntries(ours), peers: peers.cases, agreement, loadavg_end: loadavg() },
      });
      log(`  wrote ${args.json}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:peers failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
