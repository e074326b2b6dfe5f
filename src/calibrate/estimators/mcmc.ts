/**
 * Markov chain Monte Carlo without gradients: DREAM(ZS), differential-evolution Metropolis sampling
 * from an archive of past states (ter Braak and Vrugt 2008; Vrugt 2016; ter Braak 2006 for DE-MC).
 *
 * Each generation proposes one point per chain and evaluates all of them as one batch, so the chains
 * advance together on the worker pool. A proposal moves chain i along the sum of delta differences of
 * distinct archive members, on a random subset of the coordinates (randomised subspace sampling,
 * crossover probability CR), scaled by gamma = 2.38 / sqrt(2 delta d') with small multiplicative and
 * additive jitter; one generation in five (on average) uses gamma = 1 to jump between modes. With a
 * small probability the snooker update is used instead (ter Braak and Vrugt 2008), with its Jacobian
 * factor in the acceptance ratio. The archive starts with prior draws and grows with the chains'
 * states every few generations; the crossover probabilities adapt during burn-in only, so the kept
 * draws come from a fixed kernel (apart from the growing archive, as in DREAM(ZS)).
 *
 * Bounds: the sampler works in the original parameter space and rejects proposals outside the
 * support (log prior -Infinity) without evaluating them; a rejected proposal keeps the chain where it
 * is, which leaves the target invariant. This is exact for any support, at some cost in acceptance
 * when the posterior presses against a bound.
 */
import { Evaluator, drawInSupport } from './evaluator.js';
import { chainDiagnostics, quantile } from './diagnostics.js';
import { standardNormal } from './random.js';
import type { EstimatorResult, RunControl, Target } from './types.js';

export interface McmcOptions {
  /** Kept draws over all chains (default 4000). */
  samples?: number;
  /** Number of chains (default 4, at least 2). Each generation is one batch of this many points. */
  chains?: number;
  /** Generations discarded as burn-in (default: as many as the kept phase runs). */
  burnIn?: number;
  /** Keep one generation in `thin` (default 1). */
  thin?: number;
  /** Largest number of difference pairs summed in a proposal (default 2). */
  deltaMax?: number;
  /**
   * Number of crossover values CR = 1/n..1 (default 3 above 10 parameters, else 1: full-dimensional
   * moves, which suit the correlated posteriors of low-dimensional models better than subspaces).
   */
  crossoverValues?: number;
  /** Probability of the snooker update (default 0.1; 0 disables it). */
  snookerProbability?: number;
  /** Probability of gamma = 1, the mode-jumping step (default 0.2). */
  jumpProbability?: number;
  /** Append the chains' states to the archive every this many generations (default 10). */
  archiveEvery?: number;
  /** Prior draws that seed the archive (default max(10 d, 50)). */
  initialArchive?: number;
  /** R-hat above this gives a warning (default 1.01). */
  rhatThreshold?: number;
  /** Bulk or tail ESS below this gives a warning (default 100 per chain). */
  minEss?: number;
  /**
   * Starting points, one per chain (for example around an optimum); chains beyond those given start
   * from prior draws. Points outside the support are replaced by prior draws.
   */
  initial?: readonly Float64Array[];
  /**
   * Reset outlier chains during burn-in (default true): at each archive update, a chain whose mean
   * log posterior over the last half of burn-in so far lies below Q1 - max(2 IQR, d) of the other
   * chains' means jumps to the best chain's state (after the IQR rule of Vrugt et al. 2009; the
   * floor d, the scale of a log posterior's spread within one mode, keeps close chains alone).
   * Needs at least 4 chains; never after burn-in.
   */
  resetOutliers?: boolean;
}

interface ParameterDiagnostics {
  rhat: number;
  essBulk: number;
  essTail: number;
}

export interface McmcDiagnostics {
  /** Per parameter name, over the kept draws (empty when too few were kept). */
  rhat: Record<string, number>;
  essBulk: Record<string, number>;
  essTail: Record<string, number>;
  /** Acceptance rate after burn-in, during burn-in, and of snooker proposals. */
  acceptance: number;
  burnInAcceptance: number;
  snookerAcceptance: number;
  chains: number;
  /** Generations run (burn-in included). */
  generations: number;
  burnIn: number;
  thin: number;
  keptPerChain: number;
  crossoverProbabilities: number[];
  /** Chains moved to the best chain's state during burn-in (outlier detection). */
  outliersReset: number;
  archiveSize: number;
  warnings: string[];
  [key: string]: unknown;
}

export type McmcResult = EstimatorResult & { diagnostics: McmcDiagnostics };

export async function mcmc(
  target: Target,
  control: RunControl,
  options: McmcOptions = {},
): Promise<McmcResult> {
  const d = target.names.length;
  const chains = Math.max(2, Math.floor(options.chains ?? 4));
  const samples = Math.max(chains, Math.floor(options.samples ?? 4000));
  const thin = Math.max(1, Math.floor(options.thin ?? 1));
  const keptGenerations = Math.ceil(samples / chains);
  const burnIn = Math.max(0, Math.floor(options.burnIn ?? keptGenerations * thin));
  const deltaMax = Math.max(1, Math.floor(options.deltaMax ?? 2));
  const nCr = Math.max(1, Math.floor(options.crossoverValues ?? (d > 10 ? 3 : 1)));
  const pSnooker = options.snookerProbability ?? 0.1;
  const pJump = options.jumpProbability ?? 0.2;
  const archiveEvery = Math.max(1, Math.floor(options.archiveEvery ?? 10));
  const initialArchive = Math.max(
    2 * deltaMax + 2,
    Math.floor(options.initialArchive ?? Math.max(10 * d, 50)),
  );
  const rhatThreshold = options.rhatThreshold ?? 1.01;
  const minEss = options.minEss ?? 100 * chains;
  const totalGenerations = burnIn + keptGenerations * thin;
  const { rng } = control;
  const ev = new Evaluator(target, control, chains * (totalGenerations + 1));
  const warnings: string[] = [];

  // The archive: prior draws first (they need no evaluation: only their differences are used).
  const archive: Float64Array[] = [];
  for (let k = 0; k < initialArchive; k++) {
    const z = new Float64Array(d);
    drawInSupport(ev, z);
    archive.push(z);
  }
  // Per-coordinate spread of the archive (running sums about a fixed shift, against cancellation):
  // it scales the small additive jitter and the jump distances of the crossover adaptation.
  const scale = new Float64Array(d);
  const shift = Float64Array.from(archive[0]!);
  const sum = new Float64Array(d);
  const sumSq = new Float64Array(d);
  const account = (z: Float64Array, sign: 1 | -1): void => {
    for (let j = 0; j < d; j++) {
      const v = z[j]! - shift[j]!;
      sum[j] = sum[j]! + sign * v;
      sumSq[j] = sumSq[j]! + sign * v * v;
    }
  };
  const updateScale = (): void => {
    for (let j = 0; j < d; j++) {
      const m = sum[j]! / archive.length;
      scale[j] = Math.sqrt(Math.max(sumSq[j]! / archive.length - m * m, 0)) || 1;
    }
  };
  for (const z of archive) account(z, 1);
  updateScale();

  // Starting states: given points, else prior draws, redrawn (a few rounds, one batch each) where
  // the posterior is zero.
  const state: Float64Array[] = [];
  const stateLogLik = new Float64Array(chains).fill(-Infinity);
  const stateLogPost = new Float64Array(chains).fill(-Infinity);
  const given = options.initial ?? [];
  for (let c = 0; c < chains; c++) {
    const x = new Float64Array(d);
    const g = given[c];
    if (g && g.length === d && ev.logPrior(g) > -Infinity) x.set(g);
    else drawInSupport(ev, x);
    state.push(x);
  }
  let pending = Array.from({ length: chains }, (_, c) => c);
  for (let round = 0; round < 20 && pending.length; round++) {
    if (round > 0) for (const c of pending) drawInSupport(ev, state[c]!);
    const res = await ev.evaluate(pending.map((c) => state[c]!));
    if (!res) break;
    pending.forEach((c, k) => {
      stateLogLik[c] = res.logLik[k]!;
      stateLogPost[c] = res.logPost[k]!;
    });
    pending = pending.filter((c) => stateLogPost[c] === -Infinity);
  }
  if (pending.length && !ev.interrupted) {
    warnings.push(`${pending.length} chain(s) could not start at a point of positive posterior density`);
  }

  // Crossover: values m / nCr, m = 1..nCr, chosen with adaptive probabilities during burn-in.
  const crProb = new Float64Array(nCr).fill(1 / nCr);
  const crJump = new Float64Array(nCr);
  const crCount = new Float64Array(nCr);

  const keptPoints: Float64Array[] = [];
  const keptLogLik: number[] = [];
  const keptLogPost: number[] = [];
  const keptChain: number[] = [];
  let proposed = 0;
  let accepted = 0;
  let burnProposed = 0;
  let burnAccepted = 0;
  let snookerProposed = 0;
  let snookerAccepted = 0;
  const archiveStart = archive.length;
  let generation = 0;

  // Outlier chains (burn-in only): the log posterior of every chain at every burn-in generation.
  const resetOutliers = (options.resetOutliers ?? true) && chains >= 4;
  const burnLogPost = new Float64Array(resetOutliers ? burnIn * chains : 0);
  let outliersReset = 0;
  const resetOutlierChains = (done: number): number => {
    const from = Math.floor(done / 2);
    const means = new Float64Array(chains);
    for (let c = 0; c < chains; c++) {
      let s = 0;
      for (let g = from; g < done; g++) s += burnLogPost[g * chains + c]!;
      means[c] = s / (done - from);
    }
    let best = 0;
    for (let c = 1; c < chains; c++) if (means[c]! > means[best]!) best = c;
    if (means[best] === -Infinity) return 0;
    let count = 0;
    for (let c = 0; c < chains; c++) {
      if (c === best) continue;
      // Compare with the other chains only, so one outlier does not widen its own yardstick.
      const others = means.filter((v, k) => k !== c && v > -Infinity);
      const q1 = quantile(others, 0.25);
      const q3 = quantile(others, 0.75);
      const limit = q1 - Math.max(2 * (q3 - q1), d);
      if (!(means[c]! < limit)) continue;
      state[c] = Float64Array.from(state[best]!);
      stateLogLik[c] = stateLogLik[best]!;
      stateLogPost[c] = stateLogPost[best]!;
      for (let g = from; g < done; g++) burnLogPost[g * chains + c] = burnLogPost[g * chains + best]!;
      means[c] = means[best]!;
      count++;
    }
    return count;
  };

  const pickDistinct = (count: number, n: number): number[] => {
    const out: number[] = [];
    while (out.length < count) {
      const k = rng.int(n);
      if (!out.includes(k)) out.push(k);
    }
    return out;
  };

  for (; generation < totalGenerations; generation++) {
    const proposals: Float64Array[] = [];
    const logCorrection = new Float64Array(chains);
    const crUsed = new Int32Array(chains).fill(-1);
    for (let c = 0; c < chains; c++) {
      const x = state[c]!;
      const y = Float64Array.from(x);
      if (pSnooker > 0 && rng.next() < pSnooker) {
        // Snooker: move along the line through x and a random archive member z, by the difference
        // of two other members projected onto that line.
        const [iz, i1, i2] = pickDistinct(3, archive.length);
        const z = archive[iz!]!;
        const dir = new Float64Array(d);
        let norm2 = 0;
        for (let j = 0; j < d; j++) {
          dir[j] = x[j]! - z[j]!;
          norm2 += dir[j]! * dir[j]!;
        }
        if (norm2 > 0) {
          let p = 0;
          for (let j = 0; j < d; j++) p += (archive[i1!]![j]! - archive[i2!]![j]!) * dir[j]!;
          const g = 1.2 + rng.next(); // gamma ~ U(1.2, 2.2)
          let after2 = 0;
          for (let j = 0; j < d; j++) {
            y[j] = x[j]! + (g * p * dir[j]!) / norm2;
            after2 += (y[j]! - z[j]!) ** 2;
          }
          logCorrection[c] = ((d - 1) / 2) * (Math.log(after2) - Math.log(norm2));
        }
        snookerProposed++;
        crUsed[c] = -2;
      } else {
        const m = pickCr(crProb, rng.next());
        const cr = (m + 1) / nCr;
        const dims: number[] = [];
        for (let j = 0; j < d; j++) if (rng.next() < cr) dims.push(j);
        if (!dims.length) dims.push(rng.int(d));
        const delta = 1 + rng.int(Math.min(deltaMax, Math.floor((archive.length - 1) / 2)));
        const members = pickDistinct(2 * delta, archive.length);
        const gamma = rng.next() < pJump ? 1 : 2.38 / Math.sqrt(2 * delta * dims.length);
        for (const j of dims) {
          let diff = 0;
          for (let k = 0; k < delta; k++)
            diff += archive[members[2 * k]!]![j]! - archive[members[2 * k + 1]!]![j]!;
          const e = 0.1 * rng.next() - 0.05; // multiplicative jitter, U(-0.05, 0.05)
          y[j] = x[j]! + (1 + e) * gamma * diff + 1e-6 * scale[j]! * standardNormal(rng);
        }
        crUsed[c] = m;
      }
      proposals.push(y);
    }
    const res = await ev.evaluate(proposals);
    if (!res) break;
    const inBurnIn = generation < burnIn;
    for (let c = 0; c < chains; c++) {
      const lp = res.logPost[c]!;
      const logAlpha = lp - stateLogPost[c]! + logCorrection[c]!;
      const accept = lp > -Infinity && (stateLogPost[c] === -Infinity || Math.log(rng.nextOpen()) < logAlpha);
      const m = crUsed[c]!;
      if (inBurnIn && m >= 0) {
        crCount[m] = crCount[m]! + 1;
        if (accept) {
          let jump = 0;
          for (let j = 0; j < d; j++) jump += ((proposals[c]![j]! - state[c]![j]!) / scale[j]!) ** 2;
          crJump[m] = crJump[m]! + jump;
        }
      }
      if (inBurnIn) burnProposed++;
      else proposed++;
      if (accept) {
        state[c] = proposals[c]!;
        stateLogLik[c] = res.logLik[c]!;
        stateLogPost[c] = lp;
        if (inBurnIn) burnAccepted++;
        else accepted++;
        if (m === -2) snookerAccepted++;
      }
    }
    if (inBurnIn) for (let c = 0; c < chains; c++) burnLogPost[generation * chains + c] = stateLogPost[c]!;
    if ((generation + 1) % archiveEvery === 0) {
      if (inBurnIn && resetOutliers) outliersReset += resetOutlierChains(generation + 1);
      for (let c = 0; c < chains; c++) {
        const z = Float64Array.from(state[c]!);
        archive.push(z);
        account(z, 1);
      }
      updateScale();
      if (inBurnIn) adaptCrossover(crProb, crJump, crCount);
    }
    if (generation + 1 === burnIn) {
      // Forget the prior draws and the first half of burn-in once the archive has enough later states.
      const added = archive.length - archiveStart;
      const keep = Math.ceil(added / 2);
      if (keep >= initialArchive) {
        for (const z of archive.splice(0, archive.length - keep)) account(z, -1);
      }
      updateScale();
    }
    if (!inBurnIn && (generation - burnIn + 1) % thin === 0) {
      for (let c = 0; c < chains; c++) {
        keptPoints.push(state[c]!);
        keptLogLik.push(stateLogLik[c]!);
        keptLogPost.push(stateLogPost[c]!);
        keptChain.push(c);
      }
    }
  }

  // Per-parameter diagnostics over the kept draws, chain by chain.
  const keptPerChain = keptPoints.length / chains;
  const perParameter: Record<string, ParameterDiagnostics> = {};
  if (keptPerChain >= 4) {
    target.names.forEach((name, j) => {
      const byChain = Array.from({ length: chains }, (_, c) => {
        const column = new Float64Array(keptPerChain);
        for (let g = 0; g < keptPerChain; g++) column[g] = keptPoints[g * chains + c]![j]!;
        return column;
      });
      perParameter[name] = chainDiagnostics(byChain);
    });
    const notMixed = Object.entries(perParameter).filter(([, v]) => !(v.rhat <= rhatThreshold));
    if (notMixed.length) {
      warnings.push(
        `chains have not mixed: R-hat above ${rhatThreshold} for ${notMixed
          .map(([n, v]) => `${n} (${v.rhat.toFixed(3)})`)
          .join(', ')}; run longer or check for several modes`,
      );
    }
    const lowEss = Object.entries(perParameter).filter(
      ([, v]) => !(v.essBulk >= minEss) || !(v.essTail >= minEss),
    );
    if (lowEss.length) {
      warnings.push(
        `effective sample size below ${minEss} for ${lowEss
          .map(([n, v]) => `${n} (bulk ${Math.round(v.essBulk)}, tail ${Math.round(v.essTail)})`)
          .join(', ')}`,
      );
    }
  } else if (!ev.interrupted) {
    warnings.push('too few kept draws per chain for R-hat and ESS');
  } else {
    warnings.push('stopped before enough draws were kept for R-hat and ESS');
  }
  warnings.push(...ev.commonWarnings());
  if (!ev.interrupted) ev.finish();

  const rhatByName: Record<string, number> = {};
  const essBulkByName: Record<string, number> = {};
  const essTailByName: Record<string, number> = {};
  for (const [name, v] of Object.entries(perParameter)) {
    rhatByName[name] = v.rhat;
    essBulkByName[name] = v.essBulk;
    essTailByName[name] = v.essTail;
  }
  return {
    method: 'mcmc',
    draws: {
      points: keptPoints,
      logLik: Float64Array.from(keptLogLik),
      logPost: Float64Array.from(keptLogPost),
      chain: Int32Array.from(keptChain),
    },
    map: ev.best,
    mapLogPost: ev.bestLogPost,
    evaluations: ev.evaluations,
    failedEvaluations: ev.failed,
    interrupted: ev.interrupted,
    diagnostics: {
      rhat: rhatByName,
      essBulk: essBulkByName,
      essTail: essTailByName,
      acceptance: proposed ? accepted / proposed : NaN,
      burnInAcceptance: burnProposed ? burnAccepted / burnProposed : NaN,
      snookerAcceptance: snookerProposed ? snookerAccepted / snookerProposed : NaN,
      chains,
      generations: generation,
      burnIn,
      thin,
      keptPerChain,
      crossoverProbabilities: Array.from(crProb),
      outliersReset,
      archiveSize: archive.length,
      warnings,
    },
    warnings,
  };
}

function pickCr(prob: Float64Array, u: number): number {
  let cum = 0;
  for (let m = 0; m < prob.length; m++) {
    cum += prob[m]!;
    if (u < cum) return m;
  }
  return prob.length - 1;
}

/**
 * DREAM's crossover adaptation (Vrugt et al. 2009): the probability of each CR value follows its
 * mean normalised squared jump distance, kept away from zero so every value is still tried.
 */
function adaptCrossover(prob: Float64Array, jump: Float64Array, count: Float64Array): void {
  const n = prob.length;
  const rate = new Float64Array(n);
  let total = 0;
  for (let m = 0; m < n; m++) {
    rate[m] = count[m]! > 0 ? jump[m]! / count[m]! : 0;
    total += rate[m]!;
  }
  if (!(total > 0)) return;
  const floor = 0.1 / n;
  let s = 0;
  for (let m = 0; m < n; m++) {
    prob[m] = Math.max(rate[m]! / total, floor);
    s += prob[m]!;
  }
  for (let m = 0; m < n; m++) prob[m] = prob[m]! / s;
}
