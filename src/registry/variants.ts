/** Named pairings of an optimizer and a controller (docs/MATH.md §4), one row each. */

export interface VariantEntry {
  readonly name: string;
  readonly optimizer: string;
  readonly controller: string;
  readonly summary: string;
  readonly reference: string;
}

/** The variants, in the order of the README table. */
export const VARIANTS: readonly VariantEntry[] = [
  { name: 'adadagrad-norm', optimizer: 'adagrad-norm', controller: 'norm', summary: 'AdAdaGrad-Norm: AdaGrad-Norm + norm test', reference: 'Lau et al. (arXiv:2402.11215)' },
  { name: 'adadagrad', optimizer: 'adagrad', controller: 'coord-norm', summary: 'AdAdaGrad: diagonal AdaGrad + coordinate-wise norm test', reference: 'Lau et al. (arXiv:2402.11215)' },
  { name: 'adadagrad-global', optimizer: 'adagrad', controller: 'norm', summary: 'AdAdaGrad with the global norm test (as in the official experiments)', reference: 'official AdAdaGrad code' },
];
