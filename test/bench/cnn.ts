/**
 * The convolutional benchmark (part of `npm run bench`; alone: `npx tsx test/bench/cnn.ts [--quick] [--json FILE]`).
 *
 * The official 3-layer MNIST CNN (problem `mnist-cnn`, d = 28 938) at b ∈ {128, 1024}
 * (quick: {16, 64}), float64, side by side in one run, on the js backend (the
 * reference) and the wasm backend on one thread (`wasm`) and on two (`wasm2t`: the fused
 * convolutions share their chunks of samples between the threads):
 *  (a) mean   the mean gradient only (valueAndGrad of the mean loss over the batch)
 *  (b) stats  full statistics by the engine (batchStatsAt: batchGradStats with the
 *             conv blocks' factored or materialised forms, then statistics)
 *  (c) loop   single-sample valueAndGrad in a loop + statsFromPerSampleGrads; timed on
 *             the first m samples and extrapolated linearly to b (all its work is per
 *             sample); the table marks it. Not for wasm2t: one sample is one chunk, on
 *             one thread
 * Each of (a) and (b): a warm-up, then repetitions measured round-robin, median.
 * Goals (issue 15): (b)/(a) ≤ 2; wasm ≥ 5× js, i.e. js/wasm ≥ 5 for (a) and (b) (printed
 * for both wasm engines).
 * It also checks that (b) and (c) give the same S_norm on the first m samples.
 */
import { cpus, loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { getBackend, registerBackend, setBackend } from '../../src/backend/index.js';
import { createWasmBackend } from '../../src/backend/wasm/backend.js';
import { batchStatsAt, mean, statistics, statsFromPerSampleGrads, valueAndGrad, type Tensor } from '../../src/index.js';
import { fromArray } from '../../src/tensor/tensor.js';
import { key, split, type Key } from '../../src/rng/index.js';
import { getProblem } from '../../problems/registry.js';
import type { MnistBatch, MnistProblem } from '../../problems/mnist/problem.js';
import { extrapolate, fmtMs, formatTable, measure, measureInterleaved, parseArgs, writeMergedJson, type BenchCase } from './harness.js';

export interface CnnBenchOptions {
  readonly quick: boolean;
  readonly only: string | null;
  readonly json: string | null;
  readonly log: (s: string) => void;
  readonly seed: number;
}

const PROBLEM = 'mnist-cnn_d28938_n1024_i0';

function paramsOf(p: MnistProblem, x: Float64Array): Tensor[] {
  return p.blocks.map((b) => fromArray(Float64Array.from(x.subarray(b.offset, b.offset + b.size)), [...b.shape]));
}

/** (a) the mean gradient: valueAndGrad of the mean per-sample loss. */
function meanGradient(p: MnistProblem, params: Tensor[], batch: MnistBatch): number {
  const [v, gs] = valueAndGrad((...ps: Tensor[]) => mean(p.perSampleLoss(ps, batch)), params.map((_, i) => i))(...params);
  return v.item() + (gs as Tensor[]).length;
}

/** (c) the per-sample loop on the first `m` samples of the batch. */
function loopStats(p: MnistProblem, params: Tensor[], batch: MnistBatch, m: number): number {
  const d = p.dim;
  const G = new Float64Array(m * d);
  const argnums = params.map((_, i) => i);
  for (let i = 0; i < m; i++) {
    const one: MnistBatch = { size: 1, indices: batch.indices.subarray(i, i + 1) };
    const [, gs] = valueAndGrad((...ps: Tensor[]) => mean(p.perSampleLoss(ps, one)), argnums)(...params);
    (gs as Tensor[]).forEach((g, t) => G.set(g.toFloat64Array(), i * d + p.blocks[t]!.offset));
  }
  const blocks = p.blocks.map((b) => [b.offset, b.offset + b.size] as [number, number]);
  return statistics(statsFromPerSampleGrads({ data: G, b: m, d }, blocks)).S_norm;
}

export async function runCnnBenchmarks(o: CnnBenchOptions): Promise<{ cases: BenchCase[]; ratios: Record<string, number> }> {
  const { log, quick } = o;
  const want = (name: string) => o.only === null || name.includes(o.only);
  const t0 = performance.now();
  const BATCHES = quick ? [16, 64] : [128, 1024];
  const REPS = (b: number) => (quick ? { warmup: 1, reps: 3 } : { warmup: 1, reps: b <= 128 ? 7 : 3 });
  const LOOP_M = quick ? 8 : 32;
  const p = getProblem(PROBLEM) as MnistProblem;
  const [kx, kb] = split(key(o.seed + 15), 2) as [Key, Key];
  const x = p.x0(kx);
  const load0 = loadavg();
  log('');
  log(`# conv benchmark (${quick ? 'quick' : 'full'}): the official MNIST CNN (${p.id}, d = ${p.dim}), float64, load average at the start ${load0.map((v) => v.toFixed(1)).join(' ')} on ${cpus().length} cores`);

  const backends: { name: string; set: () => void; available: boolean; error?: string }[] = [{ name: 'js', set: () => setBackend('js'), available: true }];
  // the wasm engines, each built once: one thread ('wasm'), two threads ('wasm2t')
  for (const [name, threads] of [['wasm', 1], ['wasm2t', 2]] as const) {
    try {
      registerBackend({ ...createWasmBackend({ threads }), name });
      backends.push({ name, set: () => setBackend(name), available: true });
    } catch (e) {
      backends.push({ name, set: () => undefined, available: false, error: (e as Error).message });
    }
  }
  const isWasm = (name: string): boolean => name.startsWith('wasm');

  const cases: BenchCase[] = [];
  const checks: Record<string, number> = {};
  const bks = split(kb, BATCHES.length);
  for (const [bi, b] of BATCHES.entries()) {
    const batch = p.sample(bks[bi]!, b, { replace: false });
    for (const be of backends) {
      const tag = `cnn_b${b}_${be.name}`;
      const base = { model: 'cnn', b, backend: `adadagrad-${be.name}`, dtype: 'float64', problem: p.id };
      const withLoop = be.name !== 'wasm2t';
      if (!be.available) {
        for (const kind of withLoop ? (['mean', 'stats', 'loop'] as const) : (['mean', 'stats'] as const)) cases.push({ name: `${kind}_${tag}`, kind, median_ms: null, ...base, available: false, error: be.error });
        continue;
      }
      be.set();
      const mode = getBackend().mode;
      const params = paramsOf(p, x);
      let methods: string[] = [];
      let sNormEngine = NaN;
      const fns: [string, () => unknown][] = [];
      if (want(`mean_${tag}`)) fns.push(['mean', () => meanGradient(p, params, batch)]);
      if (want(`stats_${tag}`)) {
        fns.push(['stats', () => {
          const s = batchStatsAt(p, x, batch);
          methods = s.blocks.map((blk) => `${blk.name}:${blk.method}`);
          return statistics(s).S_norm;
        }]);
      }
      if (fns.length > 0) {
        const rs = measureInterleaved(fns.map(([, f]) => f), REPS(b));
        fns.forEach(([kind], f) => {
          const r = rs[f]!;
          cases.push({ name: `${kind}_${tag}`, kind: kind as 'mean' | 'stats', median_ms: r.median_ms, median_cpu_ms: r.median_cpu_ms, ...base, backend_mode: mode, warmup: r.warmup, reps: r.reps, times_ms: r.times_ms, ...(kind === 'stats' ? { methods } : {}) });
          log(`  ${kind.padEnd(6)} b = ${b} [${be.name} ${mode}]: ${fmtMs(r.median_ms)} ms (cpu ${fmtMs(r.median_cpu_ms)} ms)${kind === 'stats' ? `  blocks: ${methods.join(', ')}` : ''}`);
        });
      }
      if (withLoop && want(`loop_${tag}`)) {
        const m = Math.min(b, LOOP_M);
        let sLoop = NaN;
        const r = measure(() => {
          sLoop = loopStats(p, params, batch, m);
        }, { warmup: 1, reps: 3 });
        const ms = extrapolate(r.median_ms, m, b);
        cases.push({ name: `loop_${tag}`, kind: 'loop', median_ms: ms, median_cpu_ms: extrapolate(r.median_cpu_ms, m, b), ...base, backend_mode: mode, warmup: r.warmup, reps: r.reps, samples_timed: m, extrapolated: m < b, measured_ms: r.median_ms, times_ms: r.times_ms });
        log(`  loop   b = ${b} [${be.name} ${mode}]: ${fmtMs(ms)} ms${m < b ? ` (extrapolated from ${m} samples: ${fmtMs(r.median_ms)} ms)` : ''}`);
        // the engine on the same first m samples gives the same S_norm
        const sub: MnistBatch = { size: m, indices: batch.indices.subarray(0, m) };
        sNormEngine = statistics(batchStatsAt(p, x, sub)).S_norm;
        checks[`S_norm_engine_vs_loop_b${b}_${be.name}_first${m}`] = Math.abs(sNormEngine - sLoop) / Math.abs(sLoop);
      }
      setBackend('js');
    }
  }

  const get = (kind: string, b: number, be: string) => cases.find((c) => c.kind === kind && c.b === b && c.backend === `adadagrad-${be}`)?.median_ms ?? null;
  const ratios: Record<string, number> = {};
  const rows: string[][] = [];
  const f = (v: number | undefined, d = 2) => (v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(d));
  for (const b of BATCHES) {
    for (const be of backends) {
      const a = get('mean', b, be.name);
      const s = get('stats', b, be.name);
      const l = get('loop', b, be.name);
      if (a !== null && s !== null) ratios[`cnn_stats_over_mean_b${b}_${be.name}`] = s / a;
      if (s !== null && l !== null) ratios[`cnn_loop_over_stats_b${b}_${be.name}`] = l / s;
      if (isWasm(be.name)) {
        for (const kind of ['mean', 'stats']) {
          const j = get(kind, b, 'js');
          const w = get(kind, b, be.name);
          if (j !== null && w !== null) ratios[`cnn_${kind}_js_over_${be.name}_b${b}`] = j / w;
        }
      }
      rows.push([
        String(b), be.name, a === null ? '-' : fmtMs(a), s === null ? '-' : fmtMs(s), l === null ? '-' : `${fmtMs(l)}*`,
        f(ratios[`cnn_stats_over_mean_b${b}_${be.name}`]), f(ratios[`cnn_loop_over_stats_b${b}_${be.name}`], 1),
        isWasm(be.name) ? `${f(ratios[`cnn_mean_js_over_${be.name}_b${b}`])} / ${f(ratios[`cnn_stats_js_over_${be.name}_b${b}`])}` : '',
      ]);
    }
  }
  log('');
  log(formatTable(['b', 'engine', '(a) mean ms', '(b) stats ms', '(c) loop ms', 'b/a (goal ≤ 2)', 'c/b', 'js/wasm a / b (goal ≥ 5)'], rows));
  log(`  * extrapolated linearly from the first ${LOOP_M} samples of the batch. Float64; wasm: one thread, wasm2t: two threads (the fused convolutions' chunks of samples shared between them).`);
  const goalsMet = Object.entries(ratios).filter(([k]) => k.startsWith('cnn_stats_over_mean')).map(([k, v]) => `${k.replace('cnn_stats_over_mean_', '')} ${v <= 2 ? 'met' : 'NOT met'}`);
  const wasmMet = Object.entries(ratios).filter(([k]) => k.includes('js_over_wasm')).map(([k, v]) => `${k.replace('cnn_', '')} ${v >= 5 ? 'met' : 'NOT met'}`);
  const cpuOf = (kind: string, b: number, be: string) => cases.find((c) => c.kind === kind && c.b === b && c.backend === `adadagrad-${be}`)?.['median_cpu_ms'] as number | undefined;
  const cpuRatios: string[] = [];
  for (const b of BATCHES) {
    for (const be of backends) {
      const a = cpuOf('mean', b, be.name);
      const s = cpuOf('stats', b, be.name);
      if (a !== undefined && s !== undefined) cpuRatios.push(`b/a b = ${b} ${be.name} ${(s / a).toFixed(2)}`);
    }
    for (const be of backends.filter((e) => isWasm(e.name))) {
      for (const kind of ['mean', 'stats']) {
        const j = cpuOf(kind, b, 'js');
        const w = cpuOf(kind, b, be.name);
        if (j !== undefined && w !== undefined) cpuRatios.push(`js/${be.name} ${kind} b = ${b} ${(j / w).toFixed(2)}`);
      }
    }
  }
  log(`  the same ratios from CPU time (less sensitive to other processes; wasm2t: the CPU time of both threads): ${cpuRatios.join(', ')}`);
  log(`  goal stats ≤ 2× mean: ${goalsMet.join(', ')}; goal wasm ≥ 5× js: ${wasmMet.join(', ')}`);
  for (const [k, v] of Object.entries(checks)) log(`  check ${k}: relative difference ${v.toExponential(2)}`);
  log(`  load average at the end: ${loadavg().map((v) => v.toFixed(1)).join(' ')}; conv benchmark ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  if (o.json !== null) {
    writeMergedJson(o.json, {
      cases,
      ratios,
      conv: { date: new Date().toISOString(), quick, problem: p.id, batches: BATCHES, loop_samples: LOOP_M, checks, loadavg_start: load0, loadavg_end: loadavg(), goals: { stats_over_mean_max: 2, js_over_wasm_min: 5 } },
    });
  }
  return { cases, ratios };
}

// alone: npx tsx test/bench/cnn.ts [--quick] [--json FILE] [--only SUBSTRING]
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = parseArgs(process.argv.slice(2));
  runCnnBenchmarks({ quick: args.quick, only: args.only, json: args.json, log: (s) => process.stdout.write(`${s}\n`), seed: 20240301 }).catch((e: unknown) => {
    process.stderr.write(`bench failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
}
