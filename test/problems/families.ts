// The family entries of families 1–4 and 7–9, in one list for the contract suites.
import type { FamilyEntry } from '../../problems/common/family.js';
import { chainFamily } from '../../problems/families/chain.js';
import { lsqInterpFamily, lsqNoisyFamily } from '../../problems/families/interpolation.js';
import { nclogregFamily } from '../../problems/families/nclogreg.js';
import { nqmFamily } from '../../problems/families/nqm.js';
import { robustCauchyFamily, robustGemanMcClureFamily, robustWelschFamily } from '../../problems/families/robust.js';
import { sigmoidFamily } from '../../problems/families/sigmoidloss.js';
import { twoLayerSoftplusFamily, twoLayerTanhFamily } from '../../problems/families/twolayer.js';

export const SYNTHETIC_FAMILIES: readonly FamilyEntry[] = [
  nclogregFamily,
  robustCauchyFamily,
  robustGemanMcClureFamily,
  robustWelschFamily,
  sigmoidFamily,
  twoLayerTanhFamily,
  twoLayerSoftplusFamily,
  nqmFamily,
  lsqInterpFamily,
  lsqNoisyFamily,
  chainFamily,
];
