/**
 * Backend benchmarks (issue 10), called from run.ts after the statistics benchmark:
 *  - matmul f32 and f64 at n = 256, 512, 1024 in GFLOP/s for js, wasm (1 and 2
 *    threads), gpujs (each available mode), tfjs-backend-wasm and tfjs-backend-cpu;
 *  - the statistics-engine cases (softmax 784→10 and MLP 784-256-10 at b = 256, 4096)
 *    on every adadagrad backend;
 *  - the MNIST softmax experiment end to end: AdaGrad lr 8e-3 with the norm test
 *    η = 0.1, batch 2 → 60 000 on the full training set, 100 epochs (fewer epochs
 *    and a linear extrapolation with --quick, which the output says).
 * Slow backends are capped: a case whose predicted time (from the previous size)
 * exceeds the cap is skipped and recorded as such.
 */
import { cpus, loadavg } from 'node:os';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Backend } from '../../src/backend/backend.js';
import { getBackend, jsBackend, setBackend } from '../../src/backend/index.js';
import { createWasmBackend } from '../../src/backend/wasm/backend.js';
import { kernelsPath } from '../../src/backend/wasm/runtime.js';
import { createGpujsBackend, type GpujsMode } from '../../src/backend/gpujs/backend.js';
import { adagrad, normTest, run, testDriven } from '../../src/index.js';
import { key, normal, split, type Key } from '../../src/rng/index.js';
import { getProblem } from '../../problems/index.js';
import { fmtMs, formatTable, measure, measureInterleaved, type BenchCase } from './harness.js';
import { drawBatch, engineStats, makeModel, type Data, type ModelName, type TfSetup } from './cases.js';

/** Epochs of the quick MNIST run. */
const QUICK_EPOCHS = 10;
/**
 * How far the quick extrapolation (setup + 10 × the first 10 epochs) was from the real
 * 100-epoch time, from the last full run (its output prints the factor): the first
 * epochs hold the small-batch steps, whose cost per sample differs from the last ones.
 */
const QUICK_OFF_BY = { factor: 1.70, note: 'one run of 2026-12-04 (`npm run bench -- --only mnist`, wasm/2-threads, load 1.6–2.0): setup 0.5 s, all 100 epochs 7.1 s measured, the first 10 epochs × 10 would have said 12.9 s (the first epochs hold the small, costlier batches; a run of 2026-12-02 was off by × 1.61, earlier runs under load 4–5 by × 1.92)' };

export interface KernelBenchOptions {
  readonly quick: boolean;
  readonly only: string | null;
  readonly log: (s: string) => void;
  readonly data: Data;
  readonly tf: TfSetup;
  readonly seed: number;
}

/** One matmul measurement of the JSON's `matmul` list. */
export interface MatmulRow {
  readonly backend: string;
  readonly mode: string;
  readonly dtype: 'float32' | 'float64';
  readonly n: number;
  readonly threads: number;
  /** null when the case was skipped (cap) or is unavailable (see note) */
  readonly gflops: number | null;
  readonly median_ms?: number;
  readonly median_cpu_ms?: number;
  readonly reps?: number;
  readonly note?: string;
}

export interface KernelBenchResult {
  readonly cases: BenchCase[];
  readonly ratios: Record<string, number>;
  /** top-level keys for the JSON: matmul, mnist_softmax_100_epochs_s, kernel_bench */
  readonly json: Record<string, unknown>;
}

type Tf = NonNullable<TfSetup['tf']>;

interface Contender {
  readonly backend: string;
  readonly mode: string;
  readonly threads: number;
  readonly dtypes: readonly ('float32' | 'float64')[];
  /** returns a function computing one n × n product (inputs prepared once), or an error text */
  readonly prepare: (n: number, dtype: 'float32' | 'float64', a: Float64Array, b: Float64Array) => Promise<(() => unknown) | string>;
}

function backendContender(label: string, be: Backend, threads: number): Contender {
  return {
    backend: label, mode: be.mode, threads, dtypes: ['float32', 'float64'],
    prepare: async (n, dtype, a0, b0) => {
      const A = dtype === 'float64' ? a0 : Float32Array.from(a0);
      const B = dtype === 'float64' ? b0 : Float32Array.from(b0);
      const C = dtype === 'float64' ? new Float64Array(n * n) : new Float32Array(n * n);
      return () => be.matmul(A, B, n, n, n, C, false, false);
    },
  };
}

function tfContender(tf: Tf, be: 'cpu' | 'wasm', threads: number): Contender {
  return {
    backend: `tfjs-${be}`, mode: be === 'wasm' ? 'simd' : 'default', threads, dtypes: ['float32'],
    prepare: async (n, _dtype, a0, b0) => {
      await tf.setBackend(be);
      await tf.ready();
      const A = tf.tensor2d(Float32Array.from(a0), [n, n]);
      const B = tf.tensor2d(Float32Array.from(b0), [n, n]);
      return () => {
        const C = tf.matMul(A, B);
        const v = C.dataSync();
        C.dispose();
        return v[0];
      };
    },
  };
}

/** Whether a gpujs mode runs here (webgpu needs an adapter); the error text otherwise. */
function gpujsAvailable(mode: GpujsMode): string | null {
  try {
    const be = createGpujsBackend({ mode });
    const out = new Float32Array(256);
    be.unary('neg', new Float32Array(256).fill(1), out);
    return out[0] === -1 ? null : 'wrong result';
  } catch (e) {
    return (e as Error).message.split('\n')[0]!;
  }
}

function ensureWasmBuilt(log: (s: string) => void): void {
  if (existsSync(kernelsPath())) return;
  log('# kernels.wasm missing: running build:wasm');
  execFileSync(process.execPath, [fileURLToPath(new URL('../../src/backend/wasm/build.mjs', import.meta.url))], { stdio: 'inherit' });
}

export async function runKernelBenchmarks(o: KernelBenchOptions): Promise<KernelBenchResult> {
  const { quick, log } = o;
  const want = (name: string) => o.only === null || name.includes(o.only);
  ensureWasmBuilt(log);
  const t0 = performance.now();
  const gpujsModes: GpujsMode[] = ['cpu', 'webasm', 'webgpu'];
  const gpujsStatus = Object.fromEntries(gpujsModes.map((m) => [m, gpujsAvailable(m)])) as Record<GpujsMode, string | null>;
  const adBackends: { label: string; be: Backend; threads: number }[] = [
    { label: 'js', be: jsBackend, threads: 1 },
    { label: 'wasm', be: createWasmBackend({ threads: 1 }), threads: 1 },
    { label: 'wasm', be: createWasmBackend({ threads: 2 }), threads: 2 },
    ...gpujsModes.filter((m) => gpujsStatus[m] === null).map((m) => ({ label: 'gpujs', be: createGpujsBackend({ mode: m }), threads: 1 })),
  ];
  log('');
  log(`# backends (issue 10): ${adBackends.map((b) => `${b.label}/${b.be.mode}`).join(', ')}; gpujs ${gpujsModes.map((m) => `${m}: ${gpujsStatus[m] === null ? 'available' : `unavailable (${gpujsStatus[m]})`}`).join('; ')}`);

  // ---------------------------------------------------------------- matmul
  const matmul: MatmulRow[] = [];
  if (want('matmul')) {
    const contenders: Contender[] = adBackends.map((b) => backendContender(b.label, b.be, b.threads));
    if (o.tf.tf !== null) {
      for (const st of o.tf.status) {
        if (!st.available) continue;
        let threads = 1;
        if (st.backend === 'wasm') {
          try {
            const w = (await import('@tensorflow/tfjs-backend-wasm')) as { getThreadsCount?: () => number };
            await o.tf.tf.setBackend('wasm');
            threads = w.getThreadsCount?.() ?? 1;
          } catch {
            threads = 1;
          }
        }
        contenders.push(tfContender(o.tf.tf, st.backend, threads));
      }
    }
    const sizes = [256, 512, 1024];
    const capMs = quick ? 4000 : 20000;
    const [ka, kb] = split(key(o.seed + 10), 2) as [Key, Key];
    const mats = new Map(sizes.map((n) => [n, [normal(ka, n * n), normal(kb, n * n)] as const]));
    // per (dtype, n): every contender is warmed up once; the fast ones are then timed
    // interleaved (round-robin, so a busy machine slows them alike), slow ones alone
    const lastMs = new Map<Contender, number>();
    for (const dtype of ['float32', 'float64'] as const) {
      lastMs.clear();
      for (const n of sizes) {
        const [a, b] = mats.get(n)!;
        const fast: { c: Contender; fn: () => unknown; base: Omit<MatmulRow, 'gflops'> }[] = [];
        for (const c of contenders) {
          const base = { backend: c.backend, mode: c.mode, dtype, n, threads: c.threads };
          if (!c.dtypes.includes(dtype)) {
            matmul.push({ ...base, gflops: null, note: `${c.backend} has no ${dtype} kernels` });
            continue;
          }
          const predicted = (lastMs.get(c) ?? 0) * 8;
          if (predicted > capMs) {
            matmul.push({ ...base, gflops: null, note: `skipped: predicted ${(predicted / 1000).toFixed(1)} s per product > cap ${capMs / 1000} s` });
            lastMs.set(c, predicted);
            continue;
          }
          const fn = await c.prepare(n, dtype, a, b);
          if (typeof fn === 'string') {
            matmul.push({ ...base, gflops: null, note: fn });
            continue;
          }
          const w0 = performance.now();
          fn();
          const first = performance.now() - w0;
          if (first <= 300) {
            fast.push({ c, fn, base });
            continue;
          }
          const r = measure(fn, { warmup: 0, reps: first > capMs / 4 ? 1 : quick ? 2 : 3 });
          lastMs.set(c, r.median_ms);
          matmul.push({ ...base, gflops: (2 * n ** 3) / (r.median_ms * 1e6), median_ms: r.median_ms, median_cpu_ms: r.median_cpu_ms, reps: r.reps, note: 'timed alone (slow)' });
        }
        if (fast.length > 0) {
          // tfjs switches its global backend per call: interleave only adadagrad backends with
          // each other and time each tfjs backend in its own rounds right after them
          const groups = [fast.filter((f) => !f.c.backend.startsWith('tfjs')), ...fast.filter((f) => f.c.backend.startsWith('tfjs')).map((f) => [f])];
          for (const g of groups) {
            if (g.length === 0) continue;
            for (const f of g) if (f.c.backend.startsWith('tfjs')) await o.tf.tf!.setBackend(f.c.mode === 'simd' ? 'wasm' : 'cpu');
            const ms = measureInterleaved(g.map((f) => f.fn), { warmup: 1, reps: quick ? 5 : 11 });
            g.forEach((f, i) => {
              const r = ms[i]!;
              lastMs.set(f.c, r.median_ms);
              matmul.push({ ...f.base, gflops: (2 * n ** 3) / (r.median_ms * 1e6), median_ms: r.median_ms, median_cpu_ms: r.median_cpu_ms, reps: r.reps });
            });
          }
        }
      }
    }
    // table: rows backend/mode/threads, columns dtype × n
    const keyOf = (r: { backend: string; mode: string; threads: number }) => `${r.backend}\u0000${r.mode}\u0000${r.threads}`;
    const rowKeys = [...new Set(matmul.map(keyOf))];
    const cols = (['float32', 'float64'] as const).flatMap((d) => sizes.map((n) => ({ d, n })));
    log('');
    log('matmul n × n × n, GFLOP/s (median wall time; "-" skipped or unavailable: see the JSON notes)');
    log(formatTable(
      ['backend', 'mode', 'threads', ...cols.map(({ d, n }) => `${d === 'float32' ? 'f32' : 'f64'} ${n}`)],
      rowKeys.map((k) => {
        const [backend, mode, threads] = k.split('\u0000') as [string, string, string];
        return [backend, mode, threads, ...cols.map(({ d, n }) => {
          const r = matmul.find((x) => keyOf(x) === k && x.dtype === d && x.n === n);
          return r?.gflops == null ? '-' : r.gflops.toFixed(r.gflops >= 10 ? 1 : 2);
        })];
      }),
    ));
    // on a busy machine wall time mixes in other processes; CPU time does not (but adds up threads)
    log('matmul GFLOP per CPU-second (less sensitive to other load; for 2 threads it sums both threads\' time)');
    log(formatTable(
      ['backend', 'mode', 'threads', ...cols.map(({ d, n }) => `${d === 'float32' ? 'f32' : 'f64'} ${n}`)],
      rowKeys.map((k) => {
        const [backend, mode, threads] = k.split('\u0000') as [string, string, string];
        return [backend, mode, threads, ...cols.map(({ d, n }) => {
          const r = matmul.find((x) => keyOf(x) === k && x.dtype === d && x.n === n);
          if (r?.median_cpu_ms == null || r.median_cpu_ms <= 0) return '-';
          const g = (2 * n ** 3) / (r.median_cpu_ms * 1e6);
          return g.toFixed(g >= 10 ? 1 : 2);
        })];
      }),
    ));
  }

  // ---------------------------------------------------------------- statistics engine per backend
  const cases: BenchCase[] = [];
  const ratios: Record<string, number> = {};
  const models: ModelName[] = ['softmax', 'mlp'];
  const batches = [256, 4096];
  const [kModel, kBatch] = split(key(o.seed + 20), 2) as [Key, Key];
  const statsCap = quick ? 8000 : 30000;
  const prev = getBackend();
  const statsRows: string[][] = [];
  for (const [mi, modelName] of models.entries()) {
    const model = makeModel(modelName, split(kModel, models.length)[mi]!);
    for (const [bi, b] of batches.entries()) {
      const tag = `${modelName}_b${b}`;
      if (!want(`backend_stats_${tag}`)) continue;
      const batch = drawBatch(o.data, b, split(kBatch, models.length * batches.length)[mi * batches.length + bi]!);
      let refSNorm = NaN;
      const row: string[] = [modelName, String(b)];
      const times: Record<string, number> = {};
      const cpuTimes: Record<string, number> = {};
      for (const { label, be, threads } of adBackends) {
        const id = `${label}-${be.mode}`;
        const name = `backend_stats_${tag}_${id}`;
        const base = { kind: 'stats' as const, model: modelName, b, data: o.data.source, dtype: 'float64', backend: `adadagrad-${label}`, mode: be.mode, threads };
        const prevCase = cases.find((c) => c.model === modelName && c.b === 256 && c['mode'] === be.mode && c.backend === base.backend);
        const predicted = b > 256 && prevCase?.median_ms != null ? (prevCase.median_ms as number) * (b / 256) : 0;
        if (predicted > statsCap) {
          cases.push({ name, ...base, median_ms: null, note: `skipped: predicted ${(predicted / 1000).toFixed(1)} s > cap ${statsCap / 1000} s` });
          row.push('-');
          continue;
        }
        registerAndSelect(be);
        try {
          let sNorm = NaN;
          const fn = () => {
            sNorm = engineStats(model, batch).st.S_norm;
          };
          const w0 = performance.now();
          fn();
          const first = performance.now() - w0;
          const r = first > statsCap / 4 ? measure(fn, { warmup: 0, reps: 1 }) : measure(fn, quick ? { warmup: 1, reps: 3 } : { warmup: 2, reps: b <= 256 ? 11 : 5 });
          if (label === 'js') refSNorm = sNorm;
          const relDiff = Math.abs(sNorm - refSNorm) / Math.abs(refSNorm);
          cases.push({ name, ...base, median_ms: r.median_ms, median_cpu_ms: r.median_cpu_ms, reps: r.reps, times_ms: r.times_ms, S_norm_rel_diff_vs_js: relDiff });
          times[id] = r.median_ms;
          if (r.median_cpu_ms !== undefined) cpuTimes[id] = r.median_cpu_ms;
          row.push(fmtMs(r.median_ms));
        } finally {
          setBackend(prev.name);
        }
      }
      const js = times['js-default'];
      for (const id of Object.keys(times)) {
        if (id !== 'js-default' && js !== undefined) ratios[`stats_js_over_${id}_${tag}`] = js / times[id]!;
        if (id !== 'js-default' && cpuTimes['js-default'] !== undefined) ratios[`stats_js_over_${id}_${tag}_cpu`] = cpuTimes['js-default'] / cpuTimes[id]!;
      }
      const best = times['wasm-2-threads'];
      row.push(js !== undefined && best !== undefined ? (js / best).toFixed(2) : '-');
      const c1 = cpuTimes['wasm-1-thread'];
      row.push(cpuTimes['js-default'] !== undefined && c1 !== undefined ? (cpuTimes['js-default'] / c1).toFixed(2) : '-');
      statsRows.push(row);
    }
  }
  if (statsRows.length > 0) {
    log('');
    log('statistics engine (batchGradStats + statistics), median ms per batch, float64 data');
    log(formatTable(['model', 'b', ...adBackends.map((b) => `${b.label} ${b.be.mode}`), 'js / wasm-2 (wall)', 'js / wasm-1 (CPU)'], statsRows));
    log('  goal: js / wasm ≥ 5 for the MLP at b = 4096 (wall time; the CPU-time ratio of one thread is the load-insensitive kernel comparison)');
  }

  // ---------------------------------------------------------------- MNIST softmax experiment
  let mnist: Record<string, unknown> | null = null;
  if (want('mnist')) {
    // full: the whole 100 epochs on wasm (the default) and on js (the reference), with the
    // trajectory check; quick: 10 epochs on wasm, extrapolated, and the text says by how
    // much that extrapolation was off the last time a full run measured it
    const epochs = quick ? QUICK_EPOCHS : 100;
    const s0 = performance.now();
    const problem = getProblem('mnist-softmax_d7850_n60000_i0');
    const setupS = (performance.now() - s0) / 1000;
    const runOn = (be: Backend) => {
      registerAndSelect(be);
      try {
        // wall time when the samples reach QUICK_EPOCHS epochs: what a quick run would have timed
        let quickS: number | null = null;
        const r0 = performance.now();
        const observer = { onStep: (row: { samples: number }) => {
          if (quickS === null && row.samples >= QUICK_EPOCHS * problem.n!) quickS = (performance.now() - r0) / 1000;
        } };
        const c0 = process.cpuUsage();
        const res = run({
          problem, optimizer: adagrad(8e-3), controller: testDriven(normTest(0.1), { b0: 2, bMax: 60000 }),
          budget: { epochs }, key: key(o.seed + 30), evalEvery: 1_000_000, observers: [observer],
        });
        const runS = (performance.now() - r0) / 1000;
        const cpu = process.cpuUsage(c0);
        return { res, runS, cpuS: (cpu.user + cpu.system) / 1e6, quickS };
      } finally {
        setBackend(prev.name);
      }
    };
    const w = runOn(createWasmBackend({ threads: 2 }));
    const scale = 100 / epochs;
    const total = setupS + w.runS * scale;
    const bs = (r: typeof w) => r.res.trace.columns.b as number[];
    const finalLoss = (r: typeof w) => r.res.trace.columns.loss[r.res.trace.length - 1] as number;
    mnist = {
      backend: w.res.meta.backend, backend_mode: w.res.meta.backendMode, epochs_run: epochs, extrapolated: epochs < 100,
      extrapolation: epochs < 100
        ? `run time of ${epochs} epochs × ${scale}; the last full run measured this extrapolation off by × ${QUICK_OFF_BY.factor} (${QUICK_OFF_BY.note})`
        : null,
      setup_s: setupS, run_s: w.runS, run_cpu_s: w.cpuS, steps: w.res.summary.steps, final_b: w.res.summary.finalB,
      final_F: w.res.summary.finalF, final_loss: finalLoss(w), status: w.res.summary.status, samples: w.res.summary.samples,
      optimizer: 'adagrad(lr 8e-3)', controller: 'testDriven(normTest(0.1), b0 2, bMax 60000)', problem: problem.id,
    };
    log('');
    log(`MNIST softmax, AdaGrad 8e-3 + norm test η = 0.1, b 2 → 60000, ${epochs} epochs on ${w.res.meta.backend}/${w.res.meta.backendMode}: `
      + `setup ${setupS.toFixed(1)} s + run ${w.runS.toFixed(1)} s (CPU ${w.cpuS.toFixed(1)} s), ${w.res.summary.steps} steps, final b ${w.res.summary.finalB}, F ${w.res.summary.finalF?.toFixed(4)}`);
    if (epochs < 100) {
      log(`  mnist_softmax_100_epochs_s = ${total.toFixed(1)} (EXTRAPOLATED from ${epochs} epochs: setup + ${scale} × run; `
        + `the last full run found this extrapolation off by × ${QUICK_OFF_BY.factor}: ${QUICK_OFF_BY.note}); goal ≤ 10 s on 2 cores`);
    } else {
      const off = w.quickS !== null ? (setupS + w.quickS * (100 / QUICK_EPOCHS)) / total : null;
      mnist['quick_extrapolation_off_by'] = off;
      log(`  mnist_softmax_100_epochs_s = ${total.toFixed(1)} (measured, all 100 epochs); goal ≤ 10 s on 2 cores`);
      if (off !== null) log(`  a --quick run (${QUICK_EPOCHS} epochs × ${100 / QUICK_EPOCHS}) would have said ${(off * total).toFixed(1)} s: off by × ${off.toFixed(2)}`);
      // the same run on the float64 reference backend: time and trajectory
      const j = runOn(jsBackend);
      const same = bs(j).length === bs(w).length && bs(j).every((b, t) => b === bs(w)[t]);
      const lossDiff = Math.abs(finalLoss(j) - finalLoss(w)) / Math.abs(finalLoss(j));
      mnist['js'] = { run_s: j.runS, run_cpu_s: j.cpuS, steps: j.res.summary.steps, final_loss: finalLoss(j), final_F: j.res.summary.finalF };
      mnist['trajectory'] = { same_batch_sizes: same, final_loss_rel_diff: lossDiff };
      log(`  on js (the reference): run ${j.runS.toFixed(1)} s (CPU ${j.cpuS.toFixed(1)} s); js / wasm ${(j.runS / w.runS).toFixed(2)}; `
        + `trajectory: ${same ? 'the same' : 'DIFFERENT'} batch sizes in all ${bs(j).length} steps, final loss relative difference ${lossDiff.toExponential(1)}`);
    }
    mnist['total_s'] = total;
  }

  function registerAndSelect(be: Backend): void {
    // setBackend by name picks the registry entry; re-register this instance under its name first
    setBackend(be.name, be.name === 'js' ? undefined : { threads: (be as { threads?: number }).threads ?? 1, mode: be.mode as GpujsMode });
    if (getBackend().mode !== be.mode) throw new Error(`bench: selected ${getBackend().name}/${getBackend().mode}, wanted ${be.mode}`);
  }

  log(`  backend benchmarks took ${((performance.now() - t0) / 1000).toFixed(1)} s; load average ${loadavg().map((v) => v.toFixed(1)).join(' ')} on ${cpus().length} cores`);
  return {
    cases,
    ratios,
    json: {
      matmul,
      ...(mnist !== null ? { mnist_softmax_100_epochs_s: mnist['total_s'], mnist_softmax: mnist } : {}),
      kernel_bench: {
        date: new Date().toISOString(),
        quick,
        gpujs_modes: gpujsStatus,
        backends: adBackends.map((b) => ({ backend: b.label, mode: b.be.mode, threads: b.threads })),
        loadavg_end: loadavg(),
        cores: cpus().length,
        goals: {
          wasm_f32_matmul_1024_vs_tfjs_wasm: 'wasm (2 threads) GFLOP/s ≥ tfjs-wasm; stretch 2×',
          stats_js_over_wasm_mlp_b4096_min: 5,
          mnist_softmax_100_epochs_s_max: 10,
        },
      },
    },
  };
}
