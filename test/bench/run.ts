/**
 * `npm run bench [-- --json FILE] [-- --quick] [-- --only SUBSTRING]`
 *
 * Batch statistics: for softmax regression 784→10 and the tanh MLP 784-256-10 at
 * b ∈ {256, 4096}, side by side in one run:
 *  (a) mean     the mean gradient only (valueAndGrad of the mean loss)
 *  (b) stats    full statistics by the engine (batchGradStats + statistics)
 *  (c) loop     single-sample valueAndGrad in a loop + statsFromPerSampleGrads
 *  (d) tfjs     the per-sample loop in tfjs (tf.grads per sample, cpu and wasm backends)
 * Each case: warm-up, several repetitions, median. The per-sample loops at large b
 * time the first m samples of the batch and extrapolate linearly to b (all their
 * work is per sample, the statistics pass included); the table and the JSON say so.
 * Then the backend benchmarks (kernels.ts), the statistics step with and without a
 * workspace (workspace.ts, each mode in child processes of its own) and the conv benchmark (cnn.ts).
 */
import { cpus, loadavg } from 'node:os';
import { key, split, type Key } from '../../src/rng/index.js';
import { getBackend, setBackend, type BackendOptions } from '../../src/backend/index.js';
import {
  computeRatios, extrapolate, fmtMs, formatTable, measure, measureInterleaved, parseArgs, writeMergedJson,
  type BenchCase, type BenchResult,
} from './harness.js';
import {
  drawBatch, engineStats, loadData, loadTfjs, loopStats, makeModel, makeTfModel, meanGradient, tfLoopStats,
  type ModelName,
} from './cases.js';
import { runKernelBenchmarks } from './kernels.js'; // issue 10: backends, matmul, MNIST end to end
import { runCnnBenchmarks } from './cnn.js';
import { runWorkspaceBenchmarks } from './workspace.js'; // the statistics step with and without a workspace

const args = parseArgs(process.argv.slice(2));
const SEED = 20240301;
const MODELS: ModelName[] = ['softmax', 'mlp'];
const BATCHES = [256, 4096];
/** (a) and (b), measured round-robin: more repetitions for the cheap small batches */
// a minimum warm-up time besides the count (as bench:peers): a JIT-compiled step reaches its
// steady speed, that of a training loop, only after tens of calls at b = 256
const REPS = (b: number) => (args.quick ? { warmup: 2, reps: b <= 256 ? 9 : 3, warmupMs: 300 } : { warmup: 3, reps: b <= 256 ? 31 : 9, warmupMs: 1000 });
const LOOP_REPS = args.quick ? { warmup: 1, reps: 3 } : { warmup: 1, reps: 5 };
/** samples timed by the per-sample loops (then extrapolated to b) */
const LOOP_SAMPLES: Record<ModelName, number> = args.quick ? { softmax: 256, mlp: 64 } : { softmax: 1024, mlp: 256 };
const TF_SAMPLES: Record<ModelName, number> = args.quick ? { softmax: 64, mlp: 32 } : { softmax: 256, mlp: 128 };

const want = (name: string) => args.only === null || name.includes(args.only);
const log = (s: string) => process.stdout.write(`${s}\n`);

async function main(): Promise<void> {
  const t0 = performance.now();
  const [kData, kModel, kBatch] = split(key(SEED), 3) as [Key, Key, Key];
  const data = await loadData(SEED, 8192);
  const tf = await loadTfjs();
  log(`# batch statistics benchmark (${args.quick ? 'quick' : 'full'} run), node ${process.version}, seed ${SEED}`);
  log(`# data: ${data.note}`);
  log(`# tfjs ${tf.version ?? '(not installed)'}: ${tf.status.map((s) => `${s.backend} ${s.available ? 'available' : `unavailable (${s.error})`}`).join(', ')}`);
  void kData;

  // adadagrad backends: js (the reference and default; the canonical ratios) and,
  // when it loads, wasm (SIMD kernels) on one thread, like tfjs-wasm here
  const adaBackends: { name: string; suffix: string; options?: BackendOptions; available: boolean; error?: string }[] = [
    { name: 'js', suffix: '', available: true },
  ];
  try {
    setBackend('wasm', { threads: 1 });
    adaBackends.push({ name: 'wasm', suffix: '_adawasm', options: { threads: 1 }, available: true });
  } catch (e) {
    adaBackends.push({ name: 'wasm', suffix: '_adawasm', available: false, error: (e as Error).message });
  } finally {
    setBackend('js');
  }
  log(`# adadagrad backends: ${adaBackends.map((a) => `${a.name} ${a.available ? 'available' : `unavailable (${a.error})`}`).join(', ')}`);

  const cases: BenchCase[] = [];
  const checks: Record<string, number> = {};
  const mk = split(kModel, MODELS.length);
  for (const [mi, modelName] of MODELS.entries()) {
    const model = makeModel(modelName, mk[mi]!);
    const bk = split(foldKey(kBatch, mi), BATCHES.length);
    for (const [bi, b] of BATCHES.entries()) {
      const batch = drawBatch(data, b, bk[bi]!);
      const base = { model: modelName, b, data: data.source, dtype: 'float64' };
      const tag = `${modelName}_b${b}`;
      for (const ab of adaBackends) {
        if (!ab.available) {
          for (const kind of ['mean', 'stats', 'loop'] as const) {
            cases.push({ name: `${kind}_${tag}${ab.suffix}`, kind, backend: `adadagrad-${ab.name}`, median_ms: null, ...base, available: false, error: ab.error });
          }
          continue;
        }
        setBackend(ab.name, ab.options);
        const sfx = ab.suffix;
        const lbl = `${tag}${sfx ? ` [${ab.name}]` : ''}`;
        const backend = `adadagrad-${ab.name}`;
        const extra = { ...base, backend_mode: getBackend().mode };
        let engineSNorm = NaN;
        {
          let methods: string[] = [];
          const fns: [string, () => unknown][] = [];
          if (want(`mean_${tag}${sfx}`)) fns.push(['mean', () => meanGradient(model, batch)]);
          if (want(`stats_${tag}${sfx}`)) {
            fns.push(['stats', () => {
              const e = engineStats(model, batch);
              methods = e.methods;
              engineSNorm = e.st.S_norm;
              return e;
            }]);
          }
          if (fns.length > 0) {
            const rs = measureInterleaved(fns.map(([, f]) => f), REPS(b));
            fns.forEach(([kind, ], f) => {
              const r = rs[f]!;
              cases.push({
                name: `${kind}_${tag}${sfx}`, kind: kind as 'mean' | 'stats', backend, median_ms: r.median_ms, median_cpu_ms: r.median_cpu_ms,
                ...extra, warmup: r.warmup, reps: r.reps, times_ms: r.times_ms, ...(kind === 'stats' ? { methods } : {}),
              });
              log(`  ${kind.padEnd(6)} ${lbl}: ${fmtMs(r.median_ms)} ms (cpu ${fmtMs(r.median_cpu_ms)} ms)${kind === 'stats' ? `  blocks: ${methods.join(', ')}` : ''}`);
            });
          }
        }
        if (want(`loop_${tag}${sfx}`)) {
          const m = Math.min(b, LOOP_SAMPLES[modelName]);
          let loopSNorm = NaN;
          const r = measure(() => {
            loopSNorm = loopStats(model, batch, m).S_norm;
          }, LOOP_REPS);
          const ms = extrapolate(r.median_ms, m, b);
          cases.push({
            name: `loop_${tag}${sfx}`, kind: 'loop', backend, median_ms: ms, median_cpu_ms: extrapolate(r.median_cpu_ms, m, b),
            ...extra, warmup: r.warmup, reps: r.reps, samples_timed: m, extrapolated: m < b, measured_ms: r.median_ms, times_ms: r.times_ms,
          });
          if (m === b && Number.isFinite(engineSNorm)) checks[`S_norm_engine_vs_loop_${tag}${sfx}`] = Math.abs(engineSNorm - loopSNorm) / Math.abs(loopSNorm);
          log(`  loop   ${lbl}: ${fmtMs(ms)} ms${m < b ? ` (extrapolated from ${m} samples: ${fmtMs(r.median_ms)} ms)` : ''}`);
        }
        setBackend('js');
      }
      if (tf.tf !== null) {
        for (const st of tf.status) {
          const name = `tfjs_loop_${tag}_${st.backend}`;
          if (!want(name)) continue;
          if (!st.available) {
            cases.push({ name, kind: 'tfjs_loop', backend: `tfjs-${st.backend}`, median_ms: null, ...base, dtype: 'float32', available: false, error: st.error });
            continue;
          }
          const tfjs = tf.tf;
          await tfjs.setBackend(st.backend);
          await tfjs.ready();
          const tm = makeTfModel(tfjs, model);
          const m = Math.min(b, TF_SAMPLES[modelName]);
          let tfSNorm = NaN;
          const r = measure(() => {
            tfSNorm = tfLoopStats(tfjs, tm, batch, m);
          }, LOOP_REPS);
          tm.dispose();
          const ms = extrapolate(r.median_ms, m, b);
          cases.push({
            name, kind: 'tfjs_loop', backend: `tfjs-${st.backend}`, median_ms: ms, median_cpu_ms: extrapolate(r.median_cpu_ms, m, b),
            ...base, dtype: 'float32', available: true, warmup: r.warmup, reps: r.reps, samples_timed: m, extrapolated: m < b,
            measured_ms: r.median_ms, times_ms: r.times_ms, S_norm_subset: tfSNorm,
          });
          log(`  tfjs   ${tag} (${st.backend}): ${fmtMs(ms)} ms${m < b ? ` (extrapolated from ${m} samples: ${fmtMs(r.median_ms)} ms)` : ''}`);
        }
      } else {
        for (const be of ['cpu', 'wasm']) {
          cases.push({ name: `tfjs_loop_${tag}_${be}`, kind: 'tfjs_loop', backend: `tfjs-${be}`, median_ms: null, ...base, available: false, error: tf.status[0]?.error });
        }
      }
    }
  }

  const ratios = computeRatios(cases);
  const cpuRatios = computeRatios(cases, 'median_cpu_ms');
  const byBackend: Record<string, { wall: Record<string, number>; cpu: Record<string, number> }> = {};
  for (const ab of adaBackends) {
    byBackend[ab.name] = {
      wall: computeRatios(cases, 'median_ms', `adadagrad-${ab.name}`),
      cpu: computeRatios(cases, 'median_cpu_ms', `adadagrad-${ab.name}`),
    };
  }
  // table
  const rows: string[][] = [];
  for (const modelName of MODELS) {
    for (const b of BATCHES) {
      for (const ab of adaBackends) {
        const backend = `adadagrad-${ab.name}`;
        const get = (kind: string, be: string) => cases.find((c) => c.kind === kind && c.model === modelName && c.b === b && c.backend === be);
        const cell = (c: BenchCase | undefined) =>
          c === undefined ? '-' : c.median_ms === null ? 'unavail.' : `${fmtMs(c.median_ms)}${c['extrapolated'] ? '*' : ''}`;
        const rt = byBackend[ab.name]!.wall;
        const r = (k: string) => (rt[k] === undefined ? '-' : rt[k]!.toFixed(k.startsWith('stats') ? 2 : 1));
        const sfx = `${modelName}_b${b}`;
        rows.push([
          modelName, String(b), ab.name, cell(get('mean', backend)), cell(get('stats', backend)), cell(get('loop', backend)),
          cell(get('tfjs_loop', 'tfjs-cpu')), cell(get('tfjs_loop', 'tfjs-wasm')),
          r(`stats_over_mean_${sfx}`), r(`loop_over_stats_${sfx}`), r(`tfjs_loop_over_stats_${sfx}`),
        ]);
      }
    }
  }
  log('');
  log(formatTable(
    ['model', 'b', 'engine', '(a) mean ms', '(b) stats ms', '(c) loop ms', '(d) tfjs-cpu ms', '(d) tfjs-wasm ms', 'b/a', 'c/b', 'd/b'],
    rows,
  ));
  log('  * extrapolated linearly from a subset of the batch (see samples_timed in the JSON); tfjs runs in float32, the rest in float64.');
  log(`  goals: b/a ≤ 1.5; c/b ≥ 50 at b = 4096; d/b ≥ 100 at b = 4096 (d/b uses the faster tfjs backend)`);
  log('  engine = the adadagrad backend of (a), (b), (c); the canonical ratios in the JSON are those of js (the default backend),');
  log('  the others are under batch_stats.ratios_by_backend. The same ratios from CPU time (less sensitive to other processes):');
  for (const ab of adaBackends) {
    const cr = byBackend[ab.name]!.cpu;
    log(`    ${ab.name}: ${Object.entries(cr).filter(([k]) => !k.endsWith('_cpu') && !k.endsWith('_wasm')).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`);
  }
  log(`  machine load average at the end: ${loadavg().map((v) => v.toFixed(1)).join(' ')} on ${cpus().length} cores`);
  for (const [k, v] of Object.entries(checks)) log(`  check ${k}: relative difference ${v.toExponential(2)}`);
  log(`  total time ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  // ---- issue 10 hook: backend benchmarks (test/bench/kernels.ts) add cases, ratios and top-level keys
  const kernels = await runKernelBenchmarks({ quick: args.quick, only: args.only, log, data, tf, seed: SEED });
  const wsb = await runWorkspaceBenchmarks({ quick: args.quick, only: args.only, log, seed: SEED });

  if (args.json !== null) {
    const result: BenchResult = {
      ...kernels.json,
      cases: [...cases, ...kernels.cases, ...wsb.cases],
      ratios: { ...ratios, ...kernels.ratios, ...wsb.ratios },
      batch_stats: {
        date: new Date().toISOString(),
        command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
        quick: args.quick,
        node: process.version,
        data: data.note,
        seed: SEED,
        tfjs: { version: tf.version, backends: tf.status },
        extrapolation: 'loop and tfjs_loop cases with extrapolated = true timed samples_timed samples of the batch and scaled by b / samples_timed',
        checks,
        cpu_ratios: cpuRatios,
        ratios_by_backend: byBackend,
        adadagrad_backends: adaBackends.map((a) => ({ name: a.name, available: a.available, options: a.options ?? null, error: a.error ?? null })),
        loadavg_end: loadavg(),
        cores: cpus().length,
        goals: { stats_over_mean_max: 1.5, loop_over_stats_min_b4096: 50, tfjs_loop_over_stats_min_b4096: 100 },
      },
    };
    writeMergedJson(args.json, result);
    log(`  wrote ${args.json}`);
  }
  await runCnnBenchmarks({ quick: args.quick, only: args.only, json: args.json, log, seed: SEED }); // issue 15: the MNIST CNN (test/bench/cnn.ts)
}

function foldKey(k: Key, i: number): Key {
  return split(k, i + 1)[i]!;
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
