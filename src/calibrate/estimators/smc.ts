/**
 * Tempered sequential Monte Carlo (Del Moral, Doucet and Jasra 2006; Chopin 2002): particles drawn
 * from the prior travel through the bridge p_beta(x) ∝ prior(x) L(x)^beta, beta from 0 to 1.
 *
 * Each stage: (1) the next beta is chosen by bisection so that the effective sample size of the
 * incremental weights L^(beta' - beta) is a set share of the particles (Jasra et al. 2011; with
 * equally weighted particles this is also the conditional ESS of Zhou, Johansen and Aston 2016);
 * (2) the log evidence gains log mean L^(beta' - beta); (3) systematic resampling; (4) random-walk
 * Metropolis moves targeting p_beta', the proposal a normal with the particles' covariance scaled by
 * a factor that adapts to the acceptance rate, repeated until most particles have had the chance
 * to move (the number of steps follows the acceptance rate). Each move step is one batch.
 *
 * Bounds: proposals outside the support are rejected without evaluation.
 */
import { Evaluator, drawInSupport, logMeanExp, normaliseLogWeights } from './evaluator.js';
import { weightsEss } from './diagnostics.js';
import { addLowerTimes, cholesky, meanCovariance } from './linalg.js';
import { standardNormal, systematicResample } from './random.js';
import type { EstimatorResult, RunControl, Target } from './types.js';

export interface SmcOptions {
  /** Number of particles (default 1000). */
  particles?: number;
  /** Target ESS of each tempering step as a share of the particles (default 0.5). */
  essShare?: number;
  /** Fewest and most Metropolis steps per stage (defaults 2 and 20). */
  minMoves?: number;
  maxMoves?: number;
  /** Share of particles that should have had a chance to move in each stage (default 0.9). */
  moveShare?: number;
  /** Stop after this many stages even if beta < 1 (default 500), with a warning. */
  maxStages?: number;
  /**
   * 'resampled' (default): at beta = 1 the particles are resampled and moved once more, so draws
   * are equally weighted; 'weighted': the final reweighted particles are returned with weights.
   */
  final?: 'resampled' | 'weighted';
}

export interface SmcStage {
  /** Temperature reached by the stage. */
  beta: number;
  /** ESS of the incremental weights (about essShare x particles except at the last stage). */
  ess: number;
  /** Acceptance rate of the stage's Metropolis moves and the number of move steps. */
  acceptance: number;
  moves: number;
  /** Proposal scale (multiplies the particles' covariance's Cholesky factor). */
  scale: number;
}

export interface SmcDiagnostics {
  /** log p(data), NaN when tempering did not reach beta = 1. */
  logEvidence: number;
  /** The log normalising constant of the last tempered bridge reached. */
  logEvidencePartial: number;
  beta: number;
  schedule: number[];
  stages: SmcStage[];
  particles: number;
  /** ESS of the returned draws (the particle count when resampled). */
  ess: number;
  /** Distinct particles among the returned draws. */
  uniqueParticles: number;
  warnings: string[];
  [key: string]: unknown;
}

export type SmcResult = EstimatorResult & { diagnostics: SmcDiagnostics };

export async function smc(target: Target, control: RunControl, options: SmcOptions = {}): Promise<SmcResult> {
  const d = target.names.length;
  const n = Math.max(10, Math.floor(options.particles ?? 1000));
  const essShare = Math.min(0.99, Math.max(0.05, options.essShare ?? 0.5));
  const minMoves = Math.max(1, Math.floor(options.minMoves ?? 2));
  const maxMoves = Math.max(minMoves, Math.floor(options.maxMoves ?? 20));
  const moveShare = Math.min(0.999, Math.max(0.1, options.moveShare ?? 0.9));
  const maxStages = Math.max(1, Math.floor(options.maxStages ?? 500));
  const finalMode = options.final ?? 'resampled';
  const { rng } = control;
  // Progress total: a first guess of 10 stages, revised as beta advances.
  const ev = new Evaluator(target, control, n * (1 + 10 * (minMoves + 2)));
  const warnings: string[] = [];

  let points: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const x = new Float64Array(d);
    drawInSupport(ev, x);
    points.push(x);
  }
  const first = await ev.evaluate(points);
  let logLik = first ? first.logLik : new Float64Array(n).fill(-Infinity);
  let logPrior = first ? first.logPrior : new Float64Array(n);
  let weights: Float64Array | undefined;
  let beta = 0;
  let logEvidence = 0;
  let scale = 2.38 / Math.sqrt(d);
  const stages: SmcStage[] = [];
  let collapsed = 0;

  const finiteCount = logLik.reduce((a, v) => a + (v > -Infinity ? 1 : 0), 0);
  const hopeless = first !== null && finiteCount === 0;
  if (hopeless) {
    warnings.push(
      `every one of the ${n} prior draws had zero likelihood or failed: no posterior could be formed`,
    );
  }
  // Fallback move scale: the prior particles' variances (used if the particles ever collapse).
  const priorVar = new Float64Array(d);
  if (n > 1) {
    const { cov: c0 } = meanCovariance(points);
    for (let j = 0; j < d; j++) priorVar[j] = Number.isFinite(c0[j * d + j]!) ? c0[j * d + j]! : 1;
  }

  while (first && !hopeless && beta < 1 && stages.length < maxStages && !ev.stopRequested()) {
    // (1) next temperature
    const essAt = (b: number): number => weightsEss(normaliseLogWeights(logLik.map((l) => (b - beta) * l)));
    let next = 1;
    if (essAt(1) < essShare * n) {
      let lo = beta;
      let hi = 1;
      for (let it = 0; it < 60; it++) {
        const mid = (lo + hi) / 2;
        if (essAt(mid) >= essShare * n) lo = mid;
        else hi = mid;
      }
      next = Math.max(lo, beta + 1e-12);
    }
    const incr = logLik.map((l) => (l === -Infinity ? -Infinity : (next - beta) * l));
    logEvidence += logMeanExp(incr);
    const w = normaliseLogWeights(incr);
    const stageEss = weightsEss(w);
    beta = next;
    if (beta >= 1 && finalMode === 'weighted') {
      weights = w;
      stages.push({ beta, ess: stageEss, acceptance: NaN, moves: 0, scale });
      break;
    }
    // (3) resample
    const parents = systematicResample(w, n, rng);
    points = Array.from(parents, (p) => points[p]!);
    logLik = Float64Array.from(parents, (p) => logLik[p]!);
    logPrior = Float64Array.from(parents, (p) => logPrior[p]!);
    // (4) move: random walk with the particles' covariance.
    const { cov } = meanCovariance(points);
    let trace = 0;
    let priorTrace = 0;
    for (let j = 0; j < d; j++) {
      trace += cov[j * d + j]!;
      priorTrace += priorVar[j]!;
    }
    if (!(trace > 1e-20 * priorTrace)) {
      // One particle took all the weight: restart the moves from a small share of the prior spread.
      cov.fill(0);
      for (let j = 0; j < d; j++) cov[j * d + j] = 1e-4 * (priorVar[j]! || 1);
      trace = 1e-4 * (priorTrace || d);
      collapsed++;
    }
    let chol: Float64Array | null = null;
    for (let jitter = 1e-12; !chol && jitter < 1e6; jitter *= 100) {
      const c = Float64Array.from(cov);
      for (let j = 0; j < d; j++) c[j * d + j] = c[j * d + j]! + jitter * (trace / d);
      chol = cholesky(c, d);
    }
    if (!chol) throw new Error('SMC: the particle covariance is not finite; cannot build moves');
    let steps = minMoves;
    let tried = 0;
    let acceptedTotal = 0;
    let interrupted = false;
    for (let step = 0; step < steps; step++) {
      const z = new Float64Array(d);
      const proposals = points.map((x) => {
        for (let j = 0; j < d; j++) z[j] = scale * standardNormal(rng);
        const y = new Float64Array(d);
        addLowerTimes(x, chol!, z, y);
        return y;
      });
      const res = await ev.evaluate(proposals);
      if (!res) {
        interrupted = true;
        break;
      }
      let acc = 0;
      for (let i = 0; i < n; i++) {
        const lpNew = res.logPrior[i]! + beta * res.logLik[i]!;
        const lpOld = logPrior[i]! + beta * logLik[i]!;
        const ok =
          res.logPost[i]! > -Infinity &&
          (lpOld === -Infinity || Number.isNaN(lpOld) || Math.log(rng.nextOpen()) < lpNew - lpOld);
        if (ok) {
          points[i] = proposals[i]!;
          logLik[i] = res.logLik[i]!;
          logPrior[i] = res.logPrior[i]!;
          acc++;
        }
      }
      tried += n;
      acceptedTotal += acc;
      if (step === 0) {
        // Enough steps that a particle has had a moveShare chance of moving at least once.
        const rate = Math.max(acc / n, 1e-3);
        const needed = rate >= 1 ? 1 : Math.ceil(Math.log(1 - moveShare) / Math.log(1 - rate));
        steps = Math.min(maxMoves, Math.max(minMoves, needed));
      }
    }
    const acceptance = tried ? acceptedTotal / tried : NaN;
    stages.push({ beta, ess: stageEss, acceptance, moves: tried / n, scale });
    // Scale towards an acceptance rate near 0.25 for the next stage (Robbins-Monro-like nudge).
    if (tried) scale = Math.min(10, Math.max(0.01, scale * Math.exp(acceptance - 0.25)));
    if (interrupted) break;
    // Progress: remaining stages guessed from the pace of beta so far.
    const perStage = ev.evaluations / stages.length;
    const remaining = beta >= 1 ? 0 : Math.ceil((stages.length * (1 - beta)) / Math.max(beta, 1e-6));
    ev.total = ev.evaluations + perStage * Math.min(remaining, maxStages - stages.length);
  }
  if (collapsed) {
    warnings.push(
      `${collapsed} stage(s) started with all weight on one particle: the tempering steps are too large`,
    );
  }
  if (first && !hopeless && beta < 1 && !ev.interrupted) {
    warnings.push(
      `tempering stopped after ${stages.length} stages at beta = ${beta.toPrecision(3)} (maxStages)`,
    );
  }
  if (beta < 1) {
    warnings.push(
      `the particles are from the tempered posterior at beta = ${beta.toPrecision(3)}, not the posterior`,
    );
  }
  const finalEss = weights ? weightsEss(weights) : n;
  if (weights && finalEss < 0.1 * n) {
    warnings.push(`final weights are uneven: ESS ${Math.round(finalEss)} of ${n} particles`);
  }
  const lowAcceptance = stages.filter((s) => s.acceptance < 0.05);
  if (lowAcceptance.length) {
    warnings.push(
      `${lowAcceptance.length} stage(s) had move acceptance below 5%: particles may be poorly diversified`,
    );
  }
  warnings.push(...ev.commonWarnings());
  if (!ev.interrupted) ev.finish();
  const unique = new Set(points).size;
  const logPost = Float64Array.from(points, (_, i) => logPrior[i]! + logLik[i]!);
  return {
    method: 'smc',
    draws: { points, logLik, logPost, ...(weights ? { weights } : {}) },
    map: ev.best,
    mapLogPost: ev.bestLogPost,
    evaluations: ev.evaluations,
    failedEvaluations: ev.failed,
    interrupted: ev.interrupted,
    diagnostics: {
      logEvidence: beta >= 1 ? logEvidence : NaN,
      logEvidencePartial: logEvidence,
      beta,
      schedule: stages.map((s) => s.beta),
      stages,
      particles: n,
      ess: finalEss,
      uniqueParticles: unique,
      warnings,
    },
    warnings,
  };
}
