// SPEC §8 L7: deterministic AdaGrad-Norm, with its explicit bound checked on every run.
import { claimSuite } from './helpers.js';

claimSuite('l7-deterministic-adagrad-norm');
