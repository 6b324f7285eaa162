// The benchmark harness logic on synthetic timings (no real timing anywhere here):
// median, warm-up and repetitions with an injected clock, round-robin order,
// extrapolation, the ratio keys, merging into an existing JSON file, argument parsing.
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  computeRatios, extrapolate, fmtMs, formatTable, measure, measureInterleaved, median, mergeResults, parseArgs, writeMergedJson,
  type BenchCase,
} from '../bench/harness.js';

/** A fake clock: each call returns the next scripted value. */
function script(values: number[]): () => number {
  let i = 0;
  return () => {
    if (i >= values.length) throw new Error('fake clock exhausted');
    return values[i++]!;
  };
}

describe('median', () => {
  it('odd and even counts, unsorted input, input untouched', () => {
    const xs = [5, 1, 3];
    expect(median(xs)).toBe(3);
    expect(xs).toEqual([5, 1, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([10, 1000, 11, 12, 9])).toBe(11); // an outlier does not move it
  });

  it('rejects empty and non-finite input', () => {
    expect(() => median([])).toThrow(/no values/);
    expect(() => median([1, NaN])).toThrow(/non-finite/);
  });
});

describe('measure with an injected clock', () => {
  it('runs the warm-ups untimed, then times each repetition; the median of the differences', () => {
    let calls = 0;
    // clock reads per timed rep: cpu0, wall0, wall1, cpu1
    const wall = script([0, 10, 100, 130, 200, 220]); // durations 10, 30, 20
    const cpu = script([0, 8, 50, 80, 90, 105]); // durations 8, 30, 15
    const r = measure(() => calls++, { warmup: 2, reps: 3, now: wall, cpuNow: cpu });
    expect(calls).toBe(5);
    expect(r.times_ms).toEqual([10, 30, 20]);
    expect(r.median_ms).toBe(20);
    expect(r.cpu_ms).toEqual([8, 30, 15]);
    expect(r.median_cpu_ms).toBe(15);
    expect([r.warmup, r.reps]).toEqual([2, 3]);
  });

  it('interleaves the functions round-robin after all warm-ups', () => {
    const order: string[] = [];
    let t = 0;
    const clock = () => (t += 1);
    const rs = measureInterleaved([() => order.push('a'), () => order.push('b')], { warmup: 1, reps: 2, now: clock, cpuNow: clock });
    expect(order).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
    expect(rs.length).toBe(2);
    expect(rs.every((r) => r.times_ms.length === 2)).toBe(true);
  });

  it('warms up until both the count and the minimum time are reached', () => {
    let t = 0;
    const clock = () => t;
    let calls = 0;
    // each call advances the clock by 10 ms; 35 ms of warm-up need 4 rounds (0, 10, 20, 30 < 35), then 2 timed
    const r = measure(() => { calls++; t += 10; }, { warmup: 1, reps: 2, warmupMs: 35, now: clock, cpuNow: clock });
    expect(r.warmup).toBe(4);
    expect(calls).toBe(6);
    // the count alone when it takes longer than the time
    calls = 0;
    expect(measure(() => { calls++; t += 10; }, { warmup: 5, reps: 1, warmupMs: 15, now: clock, cpuNow: clock }).warmup).toBe(5);
    expect(() => measure(() => 0, { warmupMs: -1 })).toThrow(/warmupMs/);
  });

  it('rejects bad counts', () => {
    expect(() => measure(() => 0, { reps: 0 })).toThrow(/reps/);
    expect(() => measure(() => 0, { warmup: -1 })).toThrow(/warmup/);
    expect(() => measure(() => 0, { reps: 1.5 })).toThrow(/reps/);
    expect(() => measureInterleaved([], {})).toThrow(/no functions/);
  });
});

describe('extrapolation and formatting', () => {
  it('scales linearly from the timed subset to the batch', () => {
    expect(extrapolate(50, 256, 4096)).toBe(800);
    expect(extrapolate(50, 256, 256)).toBe(50);
    expect(() => extrapolate(1, 0, 10)).toThrow();
    expect(() => extrapolate(1, 20, 10)).toThrow();
  });

  it('formats times and tables', () => {
    expect(fmtMs(1234.5)).toBe('1235');
    expect(fmtMs(12.345)).toBe('12.3');
    expect(fmtMs(1.2345)).toBe('1.23');
    expect(fmtMs(null)).toBe('n/a');
    const t = formatTable(['a', 'bb'], [['x', '1'], ['yyy', '22']]);
    expect(t.split('\n')).toEqual(['a    bb', '---  --', 'x     1', 'yyy  22']);
  });
});

const c = (kind: BenchCase['kind'], model: string, b: number, backend: string, ms: number | null, cpu?: number): BenchCase => ({
  name: `${kind}_${model}_b${b}_${backend}`, kind, model, b, backend, median_ms: ms, ...(cpu !== undefined ? { median_cpu_ms: cpu } : {}),
});

describe('computeRatios', () => {
  const cases: BenchCase[] = [
    c('mean', 'softmax', 256, 'adadagrad-js', 10, 9),
    c('stats', 'softmax', 256, 'adadagrad-js', 14, 12),
    c('loop', 'softmax', 256, 'adadagrad-js', 700, 600),
    c('tfjs_loop', 'softmax', 256, 'tfjs-cpu', 2800),
    c('tfjs_loop', 'softmax', 256, 'tfjs-wasm', 1400),
    c('mean', 'mlp', 4096, 'adadagrad-js', 1000),
    c('stats', 'mlp', 4096, 'adadagrad-js', 1600),
    c('loop', 'mlp', 4096, 'adadagrad-js', 80000),
    c('tfjs_loop', 'mlp', 4096, 'tfjs-cpu', 320000),
    c('tfjs_loop', 'mlp', 4096, 'tfjs-wasm', null), // unavailable
  ];

  it('the keys of the issue, b/a, c/b and d/b with the faster tfjs backend canonical', () => {
    const r = computeRatios(cases);
    expect(r).toEqual({
      stats_over_mean_softmax_b256: 1.4,
      loop_over_stats_softmax_b256: 50,
      tfjs_loop_over_stats_softmax_b256_cpu: 200,
      tfjs_loop_over_stats_softmax_b256_wasm: 100,
      tfjs_loop_over_stats_softmax_b256: 100,
      stats_over_mean_mlp_b4096: 1.6,
      loop_over_stats_mlp_b4096: 50,
      tfjs_loop_over_stats_mlp_b4096_cpu: 200,
      tfjs_loop_over_stats_mlp_b4096: 200, // only cpu ran
    });
  });

  it('CPU-time ratios from median_cpu_ms, leaving out cases without it', () => {
    const r = computeRatios(cases, 'median_cpu_ms');
    expect(r['stats_over_mean_softmax_b256']).toBeCloseTo(12 / 9, 14);
    expect(r['loop_over_stats_softmax_b256']).toBe(50);
    expect(r['stats_over_mean_mlp_b4096']).toBeUndefined();
    expect(r['tfjs_loop_over_stats_softmax_b256']).toBeUndefined();
  });

  it('the adadagrad backend of the mean/stats/loop cases is selectable', () => {
    const more = [
      ...cases,
      c('mean', 'softmax', 256, 'adadagrad-wasm', 2),
      c('stats', 'softmax', 256, 'adadagrad-wasm', 4),
      c('loop', 'softmax', 256, 'adadagrad-wasm', 800),
    ];
    expect(computeRatios(more)['stats_over_mean_softmax_b256']).toBe(1.4); // js by default
    const w = computeRatios(more, 'median_ms', 'adadagrad-wasm');
    expect(w['stats_over_mean_softmax_b256']).toBe(2);
    expect(w['loop_over_stats_softmax_b256']).toBe(200);
    expect(w['tfjs_loop_over_stats_softmax_b256']).toBe(350);
    expect(w['stats_over_mean_mlp_b4096']).toBeUndefined();
  });

  it('no stats case, no ratios', () => {
    expect(computeRatios([c('mean', 'mlp', 256, 'adadagrad-js', 5)])).toEqual({});
  });
});

describe('merge-friendly JSON', () => {
  const update = {
    cases: [c('stats', 'mlp', 256, 'adadagrad-js', 3)],
    ratios: { stats_over_mean_mlp_b256: 1.3 },
    batch_stats: { quick: true },
  };

  it('keeps unrelated keys, cases and ratios; replaces cases by name and ratios by key', () => {
    const existing = {
      other_benchmark: { x: 1 },
      cases: [
        { name: 'gemm_1024', kind: 'other', model: 'gemm', b: 0, backend: 'wasm', median_ms: 4 },
        { ...c('stats', 'mlp', 256, 'adadagrad-js', 99) },
      ],
      ratios: { gemm_speedup: 5, stats_over_mean_mlp_b256: 9 },
    };
    const m = mergeResults(existing, update);
    expect(m['other_benchmark']).toEqual({ x: 1 });
    expect(m['batch_stats']).toEqual({ quick: true });
    expect(m.cases.map((x) => [x.name, x.median_ms])).toEqual([['gemm_1024', 4], ['stats_mlp_b256_adadagrad-js', 3]]);
    expect(m.ratios).toEqual({ gemm_speedup: 5, stats_over_mean_mlp_b256: 1.3 });
  });

  it('starts from nothing when the existing content is not an object', () => {
    for (const e of [null, [], 3, undefined]) expect(mergeResults(e, update).cases.length).toBe(1);
  });

  it('writes, re-reads and merges a file; refuses to overwrite a file that is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-harness-'));
    try {
      const path = join(dir, 'bench.json');
      writeFileSync(path, JSON.stringify({ ratios: { keep_me: 2 } }));
      writeMergedJson(path, update);
      const back = JSON.parse(readFileSync(path, 'utf8'));
      expect(back.ratios).toEqual({ keep_me: 2, stats_over_mean_mlp_b256: 1.3 });
      expect(back.cases.length).toBe(1);
      writeMergedJson(path, update); // idempotent
      expect(JSON.parse(readFileSync(path, 'utf8')).cases.length).toBe(1);
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, '{ not json');
      expect(() => writeMergedJson(bad, update)).toThrow(/not valid JSON/);
      expect(readFileSync(bad, 'utf8')).toBe('{ not json');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('parseArgs', () => {
  it('--json FILE, --json=FILE, --quick, --only', () => {
    expect(parseArgs([])).toEqual({ json: null, quick: false, only: null });
    expect(parseArgs(['--json', 'out.json', '--quick'])).toEqual({ json: 'out.json', quick: true, only: null });
    expect(parseArgs(['--json=o.json', '--only', 'mlp_b256'])).toEqual({ json: 'o.json', quick: false, only: 'mlp_b256' });
  });

  it('rejects unknown arguments and a missing value', () => {
    expect(() => parseArgs(['--fast'])).toThrow(/unknown argument --fast/);
    expect(() => parseArgs(['--json'])).toThrow(/needs a value/);
    expect(() => parseArgs(['--json', '--quick'])).toThrow(/needs a value/);
  });
});
