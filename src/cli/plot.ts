/** `adadagrad plot`: figures from run and sweep results. Placeholder until the plotting issue fills it in. */
import type { CliIO } from './io.js';

export interface PlotOptions {
  readonly inputs: readonly string[];
  readonly out?: string;
  readonly json?: boolean;
}

/**
 * Make figures from JSON Lines results. Not available yet: prints a message and
 * returns exit code 2. The plotting issue replaces this body.
 */
export async function plotCommand(_opts: PlotOptions, io: CliIO): Promise<number> {
  io.err('adadagrad plot: not available yet (the plotting commands come with a later issue)\n');
  return 2;
}
