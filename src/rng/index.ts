// Public index of the seeded-keys module: re-exports only.
export { type Key, key, split, foldIn, keyData, isKey } from './key.js';
export {
  type RandomStream,
  type ChoiceOptions,
  stream,
  uniform,
  normal,
  integers,
  choice,
  permutation,
  bernoulli,
} from './random.js';
export { gammaVariate, chiSquareVariate } from './gamma.js';
