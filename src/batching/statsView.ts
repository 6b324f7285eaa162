/**
 * What a reader that declared its batch statistics (needs.ts) is given: a view of the
 * statistics whose declared fields read as computed and whose undeclared ones throw,
 * naming the reader and the statistic — so a test that reads S_ip while declaring
 * only S_norm fails loudly instead of computing with a missing (or a stale) value.
 */
import type { BatchStat } from './needs.js';
import type { BatchStatistics, PartialStatistics } from './summary.js';

/** The error of a read the reader did not declare. */
export class UndeclaredStatisticError extends Error {
  constructor(readonly reader: string, readonly statistic: string, readonly declared: readonly BatchStat[]) {
    super(
      `${reader} read the batch statistic ${statistic}, which it did not declare (it declares: ${declared.length > 0 ? declared.join(', ') : 'none'}); ` +
        `add '${statistic === 'B_simple' ? 'S_norm' : statistic}' to the \`reads\` of its test or controller`,
    );
    this.name = 'UndeclaredStatisticError';
  }
}

/**
 * The view of `stats` for a reader declaring `reads`: b, ḡ and ||ḡ||² as they are;
 * S_norm and B_simple, S_ip, S_orth, S_j and blockwise.{S_ip, S_orth} only when declared
 * (then they must be present: the step computed them). Reading any other throws
 * {@link UndeclaredStatisticError} (spreading the view reads them all); JSON.stringify
 * shows the declared ones.
 */
export function statisticsView(stats: PartialStatistics, reads: readonly BatchStat[], reader: string): BatchStatistics {
  const field = <T>(name: string, stat: BatchStat, value: T | undefined): T => {
    if (!reads.includes(stat)) throw new UndeclaredStatisticError(reader, name, reads);
    if (value === undefined) throw new Error(`${reader}: the batch statistic ${name} was declared but not computed (a gradient source that ignores the declared statistics?)`);
    return value;
  };
  const blockwise = {
    get S_ip(): number {
      return field('blockwise.S_ip', 'blockwise.S_ip', stats.blockwise?.S_ip);
    },
    get S_orth(): number {
      return field('blockwise.S_orth', 'blockwise.S_orth', stats.blockwise?.S_orth);
    },
  };
  const view: BatchStatistics = {
    b: stats.b,
    meanGrad: stats.meanGrad,
    gradNormSq: stats.gradNormSq,
    get S_norm(): number {
      return field('S_norm', 'S_norm', stats.S_norm);
    },
    get B_simple(): number {
      return field('B_simple', 'S_norm', stats.B_simple);
    },
    get S_ip(): number {
      return field('S_ip', 'S_ip', stats.S_ip);
    },
    get S_orth(): number {
      return field('S_orth', 'S_orth', stats.S_orth);
    },
    get S_j(): Float64Array {
      return field('S_j', 'S_j', stats.S_j);
    },
    blockwise,
  };
  // JSON (snapshots, logs) shows what the reader may read; spreading the view reads every field
  Object.defineProperty(view, 'toJSON', {
    enumerable: false,
    value: () => {
      const out: Record<string, unknown> = { b: stats.b, meanGrad: stats.meanGrad, gradNormSq: stats.gradNormSq };
      for (const r of reads) {
        if (r === 'blockwise.S_ip' || r === 'blockwise.S_orth') {
          const bw = (out['blockwise'] ??= {}) as Record<string, unknown>;
          bw[r.slice('blockwise.'.length)] = stats.blockwise?.[r === 'blockwise.S_ip' ? 'S_ip' : 'S_orth'];
        } else {
          out[r] = stats[r];
          if (r === 'S_norm') out['B_simple'] = stats.B_simple;
        }
      }
      return out;
    },
  });
  return view;
}
