// SPEC §7 negative controls: the rate check must reject AdaGrad-Norm with a constant batch and SGD with a constant step and batch where the noise does not vanish.
import { claimSuite } from './helpers.js';

claimSuite('neg-adagrad-norm-constant-batch');
claimSuite('neg-sgd-constant');
