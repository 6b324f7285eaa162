/** `adadagrad reproduce`: regenerate the toolkit's theory figures. Placeholder until the reproduction issue fills it in. */
import type { CliIO } from './io.js';

export interface ReproduceOptions {
  readonly figure?: string;
  readonly out?: string;
  readonly json?: boolean;
}

/**
 * Reproduce a figure (or all). Not available yet: prints a message and returns
 * exit code 2. The reproduction issue replaces this body.
 */
export async function reproduceCommand(_opts: ReproduceOptions, io: CliIO): Promise<number> {
  io.err('adadagrad reproduce: not available yet (the figure reproductions come with a later issue)\n');
  return 2;
}
