/**
 * Figure 5: SEBS against stagewise SGD at matched samples (docs/MATH.md §5, §7 C6).
 * SEBS keeps the step α and doubles the batch each stage of T₁ steps; stagewise
 * SGD keeps the batch b₁ and halves the step while stage s lasts 2^{s−1} T₁
 * steps. Both use the same samples in each stage; SEBS takes far fewer updates.
 */
import { getProblem } from '../../../problems/index.js';
import type { Figure } from '../../plot/figure.js';
import { logAxis, methodScales, positiveExtent } from '../../plot/theme.js';
import { SETTINGS } from '../settings.js';
import type { Mode, RunJob, RunOutput } from '../types.js';
import { BAND_RESOLVE, bandLayers, bandRows, bySeedBlocks, failures, geomInts, reproduceCommand, seedJobs, stepLookup, geomGrid, type Method } from './common.js';
import type { FigureFamily } from './family.js';

const ALPHA = 0.5;
const B1 = 4;
const RHO = 2;

function methods(mode: Mode): Method[] {
  const s = SETTINGS[mode].sebs;
  const common = { lr: ALPHA, b0: B1, rho: RHO, stages: s.stages, perStage: s.T1 };
  return [
    { key: 'sebs', label: `SEBS: α = ${ALPHA}, b = ${B1}·2^(s−1), ${s.T1} steps per stage`, optimizer: 'sgd', controller: 'sebs', hyper: common },
    { key: 'stagewise', label: `stagewise SGD: b = ${B1}, α = ${ALPHA}/2^(s−1), ${s.T1}·2^(s−1) steps in stage s`, optimizer: 'sgd', controller: 'stagewise-sgd', hyper: common },
  ];
}

function stepsOf(mode: Mode): { sebs: number; stagewise: number } {
  const s = SETTINGS[mode].sebs;
  let sw = 0;
  for (let i = 0; i < s.stages; i++) sw += Math.round(s.T1 * Math.pow(RHO, i));
  return { sebs: s.stages * s.T1, stagewise: sw };
}

function jobs(mode: Mode): RunJob[] {
  const s = SETTINGS[mode].sebs;
  const K = stepsOf(mode);
  return methods(mode).flatMap((m) => {
    const steps = m.key === 'sebs' ? K.sebs : K.stagewise;
    return seedJobs('sebs', m, { problem: s.problem, budget: { steps }, seeds: s.seeds, replace: true, evals: { steps: geomInts(1, steps, 60), gradient: false } });
  });
}

function build(mode: Mode, outputs: readonly RunOutput[]): Figure[] {
  const s = SETTINGS[mode].sebs;
  const ms = methods(mode);
  const K = stepsOf(mode);
  const problem = getProblem(s.problem);
  const Fstar = problem.constants.F_star ?? problem.constants.F_low;
  const groups = bySeedBlocks(outputs, ms.map((m) => ({ key: m.key, seeds: s.seeds })));
  const rows: Record<string, string | number | null>[] = [];
  const totalSamples = B1 * s.T1 * (Math.pow(RHO, s.stages) - 1);
  for (const m of ms) {
    const outs = groups.get(m.key)!;
    const steps = m.key === 'sebs' ? K.sebs : K.stagewise;
    const errSteps = outs.map((o) => stepLookup(o.evals.filter((e) => e.F !== null).map((e) => ({ x: e.step, y: Math.max(e.F! - Fstar, 1e-300) }))));
    // error against samples: the sample count of each evaluated iterate (from the trace)
    const errSamples = outs.map((o) => {
      const cum = o.trace!.samples;
      return stepLookup(o.evals.filter((e) => e.F !== null).map((e) => ({ x: e.step === 0 ? 0 : cum[e.step - 1]!, y: Math.max(e.F! - Fstar, 1e-300) })));
    });
    for (const r of bandRows(m.label, geomInts(1, steps, 60), errSteps)) rows.push({ panel: 'updates', method: r.method, x: r.x, median: r.median, lo: r.lo, hi: r.hi });
    for (const r of bandRows(m.label, geomGrid(B1, totalSamples, 60), errSamples)) rows.push({ panel: 'samples', method: r.method, x: r.x, median: r.median, lo: r.lo, hi: r.hi });
  }
  const scales = methodScales(ms.map((m) => m.label));
  const ext = positiveExtent(rows.flatMap((r) => [r['median'] as number, r['lo'] as number, r['hi'] as number]))!;
  const yA = logAxis(ext[0], ext[1], 'F(xₖ) − F*');
  const Y = { type: 'quantitative', scale: yA.scale, axis: yA.axis };
  const xU = logAxis(1, K.stagewise, 'updates k', { exact: true });
  const xS = logAxis(B1, totalSamples, 'samples processed', { exact: true });
  const legend = { title: null, orient: 'bottom', direction: 'vertical', symbolType: 'stroke', symbolSize: 500, symbolStrokeWidth: 2.2, labelLimit: 500 };
  const final = ms.map((m) => {
    const v = rows.filter((r) => r['panel'] === 'samples' && r['method'] === m.label && r['median'] !== null);
    return v.length > 0 ? (v[v.length - 1]!['median'] as number) : NaN;
  });
  const bad = failures(outputs);
  return [
    {
      name: 'fig5-sebs',
      title: 'Figure 5 — SEBS against stagewise SGD at matched samples',
      caption: `docs/MATH.md §7 C6: SEBS (constant step, batch ×${RHO} per stage) and stagewise SGD (constant batch, step ÷${RHO} per stage, stage ${RHO}× longer) use the same samples in every stage and reach about the same error, but SEBS needs far fewer updates: ${K.sebs} against ${K.stagewise} here (${s.stages} stages, T₁ = ${s.T1}, b₁ = ${B1}, α = ${ALPHA}; ${totalSamples} samples each). Final median error: SEBS ${final[0]!.toPrecision(3)}, stagewise SGD ${final[1]!.toPrecision(3)}. Left: error against updates; right: against samples processed (log-log), median and 10–90% band over ${s.seeds} seeds.\n\nProblem ${s.problem} (least squares with noise, F* = ${Fstar.toPrecision(6)} known); batches with replacement.${bad.length > 0 ? ` ${bad.length} runs did not complete (${bad[0]}).` : ''}`,
      command: reproduceCommand('fig5-sebs', mode),
      spec: {
        title: { text: 'SEBS vs stagewise SGD', subtitle: `${s.problem}, same samples per stage, median and 10–90% band over ${s.seeds} seeds` },
        hconcat: [
          { width: 380, height: 280, title: { text: 'against updates', fontSize: 12 }, resolve: BAND_RESOLVE, layer: bandLayers({ x: { field: 'x', type: 'quantitative', scale: xU.scale, axis: xU.axis }, y: Y, scales, filter: "datum.panel == 'updates'", legend }) },
          { width: 380, height: 280, title: { text: 'against samples', fontSize: 12 }, resolve: BAND_RESOLVE, layer: bandLayers({ x: { field: 'x', type: 'quantitative', scale: xS.scale, axis: xS.axis }, y: Y, scales, filter: "datum.panel == 'samples'", legend: null }) },
        ],
      },
      rows,
      columns: ['panel', 'method', 'x', 'median', 'lo', 'hi'],
    },
  ];
}

export const sebsFamily: FigureFamily = {
  id: 'sebs',
  figures: [{ name: 'fig5-sebs', title: 'Figure 5 — SEBS vs stagewise SGD' }],
  jobs,
  build,
};
