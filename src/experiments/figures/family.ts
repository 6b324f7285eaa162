/** A figure family: the runs it needs in a mode and the figures it builds from their outputs. */
import type { Figure } from '../../plot/figure.js';
import type { Mode, RunJob, RunOutput } from '../types.js';

export interface FigureFamily {
  /** Short id used on the command line, e.g. `rates`. */
  readonly id: string;
  /** The figures it makes (file stems and titles), e.g. `fig1-rate`. */
  readonly figures: readonly { readonly name: string; readonly title: string }[];
  jobs(mode: Mode): RunJob[];
  /** Build the figures from the outputs, aligned with `jobs(mode)`. */
  build(mode: Mode, outputs: readonly RunOutput[]): Figure[];
}
