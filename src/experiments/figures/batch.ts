/** Figure 3: the batch size each test asks for, against steps and against samples (docs/MATH.md §3). */
import type { Figure } from '../../plot/figure.js';
import { logAxis, methodScales } from '../../plot/theme.js';
import { SETTINGS } from '../settings.js';
import type { Mode, RunJob, RunOutput } from '../types.js';
import { BAND_RESOLVE, bandLayers, bandRows, bySeedBlocks, failures, geomGrid, reproduceCommand, seedJobs, stepLookup, type Method } from './common.js';
import type { FigureFamily } from './family.js';

const BASE = { optimizer: 'adagrad-norm', hyper: { lr: 1, beta0: 1, b0: 2 } };

/** One method per test, all on AdaGrad-Norm so that only the test differs. */
export const TEST_METHODS: readonly Method[] = [
  { key: 'norm', label: 'norm test (η = 0.5)', controller: 'norm', ...BASE, hyper: { ...BASE.hyper, eta: 0.5 } },
  { key: 'ip', label: 'inner-product test (θ = 0.5)', controller: 'ip', ...BASE, hyper: { ...BASE.hyper, theta: 0.5 } },
  { key: 'aug-ip', label: 'augmented inner-product test (θ = 0.5, ν = 1)', controller: 'aug-ip', ...BASE, hyper: { ...BASE.hyper, theta: 0.5, nu: 1 } },
  { key: 'coord-norm', label: 'coordinate-wise norm test (η = 0.5)', controller: 'coord-norm', ...BASE, hyper: { ...BASE.hyper, eta: 0.5 } },
];

function problemN(id: string): number {
  return Number(/_n(\d+)_/.exec(id)![1]);
}

function jobs(mode: Mode): RunJob[] {
  const s = SETTINGS[mode];
  const n = problemN(s.batch.problem);
  return TEST_METHODS.flatMap((m) =>
    seedJobs('batch', m, { problem: s.batch.problem, budget: { steps: s.batch.K }, seeds: s.batch.seeds, replace: false, evals: { steps: [] }, hyper: { bMax: n } }),
  );
}

function build(mode: Mode, outputs: readonly RunOutput[]): Figure[] {
  const s = SETTINGS[mode];
  const n = problemN(s.batch.problem);
  const K = s.batch.K;
  const groups = bySeedBlocks(outputs, TEST_METHODS.map((m) => ({ key: m.key, seeds: s.batch.seeds })));
  const rows: Record<string, string | number | null>[] = [];
  let maxSamples = 1;
  for (const o of outputs) maxSamples = Math.max(maxSamples, o.samples);
  const steps = Array.from({ length: K }, (_, k) => k);
  const sGrid = geomGrid(1, maxSamples, 30);
  for (const m of TEST_METHODS) {
    const outs = groups.get(m.key)!;
    const bySteps = outs.map((o) => (k: number) => o.trace!.b[k] ?? NaN);
    // b_k against the samples used before step k.
    const bySamples = outs.map((o) => {
      const t = o.trace!;
      return stepLookup(t.b.map((b, k) => ({ x: t.samples[k]! - b, y: b })));
    });
    for (const r of bandRows(m.label, steps, bySteps)) rows.push({ panel: 'steps', method: r.method, x: r.x, median: r.median, lo: r.lo, hi: r.hi });
    for (const r of bandRows(m.label, sGrid, bySamples)) rows.push({ panel: 'samples', method: r.method, x: r.x, median: r.median, lo: r.lo, hi: r.hi });
  }
  rows.push({ panel: 'cap', ref: `b_max = n = ${n}`, y: n });
  const labels = TEST_METHODS.map((m) => m.label);
  const scales = methodScales(labels);
  const yAx = logAxis(1, Math.pow(10, Math.ceil(Math.log10(n))), 'batch size bₖ');
  const Y = { type: 'quantitative', scale: yAx.scale, axis: yAx.axis };
  const sAx = logAxis(1, maxSamples, 'samples processed before step k', { exact: true });
  const capLayers = (xField: string): Record<string, unknown>[] => [
    { transform: [{ filter: "datum.panel == 'cap'" }], mark: { type: 'rule', color: '#555', strokeDash: [2, 3] }, encoding: { y: { field: 'y', ...Y } } },
    {
      transform: [{ filter: "datum.panel == 'cap'" }],
      mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 4, dy: -3, fontSize: 11, color: '#333', x: 0 },
      encoding: { y: { field: 'y', ...Y }, text: { field: 'ref' } },
    },
    ...(xField === '' ? [] : []),
  ];
  const panel = (which: 'steps' | 'samples', title: string, legend: boolean): Record<string, unknown> => ({
    width: 360,
    height: 300,
    title: { text: title, fontSize: 12 },
    resolve: BAND_RESOLVE,
    layer: [
      ...bandLayers({
        x: which === 'steps' ? { field: 'x', type: 'quantitative', title: 'step k', scale: { domain: [0, K], nice: false } } : { field: 'x', type: 'quantitative', scale: sAx.scale, axis: sAx.axis },
        y: Y,
        scales,
        filter: `datum.panel == '${which}'`,
        legend: legend ? { title: null, orient: 'bottom', direction: 'vertical', columns: 2, symbolType: 'stroke', symbolSize: 500, symbolStrokeWidth: 2.2, labelLimit: 400 } : null,
      }),
      ...capLayers(''),
    ],
  });
  const bad = failures(outputs);
  return [
    {
      name: 'fig3-batch',
      title: 'Figure 3 — batch size chosen by each test, against steps and against samples',
      caption: `How fast each batch-size test (docs/MATH.md §3) grows the batch: b_{k+1} = min(b_max, ⌈max(b_k, T_k)⌉), with T_k computed from the batch just used. All runs use AdaGrad-Norm (α = 1, β₀ = 1, b₀ = 2) on ${s.batch.problem} so that only the test differs; median line and 10–90% band over ${s.batch.seeds} seeds; batches without replacement, capped at b_max = n = ${n} (dotted line). The inner-product test asks for the smallest batches (it controls only the component of the noise along the gradient); the norm and coordinate-wise tests the largest. Left: against the step k (log batch axis). Right: against the samples processed before step k (log-log).${bad.length > 0 ? ` ${bad.length} runs did not complete (${bad[0]}).` : ''}`,
      command: reproduceCommand('fig3-batch', mode),
      spec: {
        title: { text: 'Batch sizes chosen by the tests', subtitle: `AdaGrad-Norm on ${s.batch.problem}, median and 10–90% band over ${s.batch.seeds} seeds` },
        hconcat: [panel('steps', 'against steps', true), panel('samples', 'against samples', false)],
        resolve: { legend: { color: 'shared', strokeDash: 'shared' } },
        config: { legend: { orient: 'bottom', direction: 'vertical', columns: 2, symbolType: 'stroke', symbolSize: 500, labelLimit: 400 } },
      },
      rows,
      columns: ['panel', 'method', 'x', 'median', 'lo', 'hi', 'ref', 'y'],
    },
  ];
}

export const batchFamily: FigureFamily = {
  id: 'batch',
  figures: [{ name: 'fig3-batch', title: 'Figure 3 — batch sizes per test' }],
  jobs,
  build,
};
