/** How big each experiment is in each mode. One table, so the sizes are visible in one place. */
import type { Mode } from './types.js';

export interface Settings {
  /**
   * Figures 1, 2 and 4: the problem (a population nqm/nqm-rot with κ = d^a ≥ 2·K), the start
   * x★ + s·z, steps K and seeds of the rate runs, and K_min of the doubling grid the slopes are fitted on.
   */
  readonly rates: { readonly problem: string; readonly start: number; readonly K: number; readonly seeds: number; readonly fitFrom: number };
  /** Figure 3: the finite sum, steps and seeds of the per-test batch-size runs. */
  readonly batch: { readonly problem: string; readonly K: number; readonly seeds: number };
  /** Figure 4: sample budget and seeds (on the problem and start of figures 1–2). */
  readonly complexity: { readonly samples: number; readonly seeds: number };
  /** Figure 5: SEBS first stage length T₁ = M, stages, seeds. */
  readonly sebs: { readonly problem: string; readonly T1: number; readonly stages: number; readonly seeds: number };
  /** Figure 6: the MNIST problem and epochs. */
  readonly mnist: { readonly problem: string; readonly epochs: number; readonly evalEvery: number };
  /**
   * Figure 6b (the official MNIST CNN): the mnist-cnn instance (training rows n, test images t), sample
   * budget, test-accuracy checkpoints after x₀, AdAdaGrad's b₀ and the constant baseline's b.
   */
  readonly cnn: { readonly problem: string; readonly samples: number; readonly evals: number; readonly b0: number; readonly constB: number };
  /** Figure 7: sample budget per run, seeds, and the families left out. */
  readonly bench: { readonly samples: number; readonly seeds: number; readonly excludeFamilies: readonly string[] };
  /** Figure 8 (momentum with growing batches): steps K, batch cap, seeds. */
  readonly sgdm: { readonly K: number; readonly bMax: number; readonly seeds: number };
  /** Figure 9 (local methods with adaptive local batches): the (M workers, H local steps) pairs, sample budget per run, seeds. */
  readonly local: { readonly configs: readonly (readonly [number, number])[]; readonly samples: number; readonly seeds: number };
  /** Figure 10 (AdaGrad vs SGD at large batch): steps K per run, the constant batch sizes, seeds. */
  readonly adagradSgd: { readonly K: number; readonly batches: readonly number[]; readonly seeds: number };
  /** Figure 11 (the learning-rate surge): steps K per run (stages K/16, K/4, K), the constant batch sizes, seeds. */
  readonly surge: { readonly K: number; readonly batches: readonly number[]; readonly seeds: number };
}

export const SETTINGS: Readonly<Record<Mode, Settings>> = {
  quick: {
    rates: { problem: 'nqm-rot_d16_i0_a3', start: 1, K: 256, seeds: 4, fitFrom: 32 },
    batch: { problem: 'nclogreg_d20_n2000_i0_k1000', K: 120, seeds: 2 },
    complexity: { samples: 1e5, seeds: 2 },
    sebs: { problem: 'lsq-noisy_d20_n2000_i0', T1: 20, stages: 5, seeds: 3 },
    mnist: { problem: 'mnist-softmax_d7850_n6000_i0', epochs: 2, evalEvery: 0.25 },
    cnn: { problem: 'mnist-cnn_d28938_n20_i0_t20', samples: 40, evals: 1, b0: 4, constB: 4 },
    bench: { samples: 2e4, seeds: 1, excludeFamilies: ['mnist-softmax', 'mnist-mlp', 'mnist-cnn'] },
    sgdm: { K: 400, bMax: 128, seeds: 3 },
    local: { configs: [[2, 4], [4, 16]], samples: 2e4, seeds: 2 },
    adagradSgd: { K: 100, batches: [16, 128], seeds: 2 },
    surge: { K: 32, batches: [1, 8, 64], seeds: 2 },
  },
  default: {
    rates: { problem: 'nqm-rot_d16_i0_a3', start: 1, K: 1024, seeds: 8, fitFrom: 32 },
    batch: { problem: 'nclogreg_d20_n2000_i0_k1000', K: 300, seeds: 4 },
    complexity: { samples: 1e6, seeds: 4 },
    sebs: { problem: 'lsq-noisy_d20_n2000_i0', T1: 40, stages: 6, seeds: 5 },
    mnist: { problem: 'mnist-softmax_d7850_n60000_i0', epochs: 5, evalEvery: 0.25 },
    cnn: { problem: 'mnist-cnn_d28938_n128_i0_t200', samples: 256, evals: 2, b0: 32, constB: 16 },
    bench: { samples: 1e5, seeds: 2, excludeFamilies: ['mnist-softmax', 'mnist-mlp', 'mnist-cnn', 'cnn-teacher', 'cquad', 'plogreg'] },
    sgdm: { K: 600, bMax: 512, seeds: 4 },
    local: { configs: [[2, 4], [4, 1], [4, 16], [8, 4]], samples: 4e4, seeds: 3 },
    adagradSgd: { K: 150, batches: [16, 64, 256], seeds: 2 },
    surge: { K: 64, batches: [1, 4, 16, 64], seeds: 2 },
  },
  full: {
    rates: { problem: 'nqm-rot_d16_i0_a3', start: 1, K: 2048, seeds: 16, fitFrom: 32 },
    batch: { problem: 'nclogreg_d20_n2000_i0_k1000', K: 1000, seeds: 8 },
    complexity: { samples: 1e7, seeds: 8 },
    sebs: { problem: 'lsq-noisy_d20_n2000_i0', T1: 100, stages: 7, seeds: 10 },
    mnist: { problem: 'mnist-softmax_d7850_n60000_i0', epochs: 100, evalEvery: 1 },
    cnn: { problem: 'mnist-cnn_d28938_n60000_i0', samples: 6e6, evals: 20, b0: 32, constB: 128 },
    bench: { samples: 1e6, seeds: 3, excludeFamilies: ['mnist-cnn'] },
    sgdm: { K: 2000, bMax: 4096, seeds: 10 },
    local: { configs: [[2, 1], [2, 4], [2, 16], [4, 1], [4, 4], [4, 16], [8, 1], [8, 4], [8, 16]], samples: 2e5, seeds: 8 },
    adagradSgd: { K: 300, batches: [4, 16, 64, 256, 1024], seeds: 5 },
    surge: { K: 256, batches: [1, 4, 16, 64, 256, 1024], seeds: 5 },
  },
};

/** The flag that selects a mode on the command line ('' for the default). */
export function modeFlag(mode: Mode): string {
  return mode === 'default' ? '' : ` --${mode}`;
}
