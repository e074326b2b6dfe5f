/**
 * The case model's single source of truth (second edition): every variable with its equation,
 * units, documentation and the claims it encodes, and every constant with its source or its
 * assumption range and whether the evidence can identify it. `generate.ts` writes model.xmile,
 * parameters.json, calibration.json and experiments/thesis.json from this table, so they cannot
 * drift apart. Edit here, then run `npx tsx models/north-korea-russia/tools/generate.ts`.
 *
 * Time is in months from 2024-10-01 (t = 0). Custom units:
 * - people, shells, missiles: counts;
 * - credit: North Korea's claim on Russian help; one credit is what one soldier-month of front
 *   service earns under the "service" reading of C11 (the numeraire of the claim);
 * - package: a unit of nuclear- or missile-related help from Russia (its own unit: never a count
 *   of casualties); one package a month is the most Russia would give;
 * - value: Kim's valuation; one value is the cost to him of one soldier killed or wounded whose
 *   loss nobody at home sees (the numeraire of his decision).
 *
 * Every constant that is not a numeraire or a reported date is an uncertainty with a range, and
 * its default is the centre of that range: no default was chosen by looking at the outcome it
 * decides. `identifiable` constants are to be estimated from the evidence (calibration.json);
 * `deep` ones are explored, never estimated; `switch` constants select a structural alternative.
 */

export type Claim = `C${number}`;

export interface ParameterSpec {
  kind: 'sourced' | 'assumption';
  /** Where the number comes from (reported-figures.md row: source and date) or why it is assumed. */
  source: string;
  /** Evidence estimate ids (models/north-korea-russia/evidence.json) the value rests on. */
  estimates?: string[];
  range: [number, number];
  dist?: 'uniform' | 'triangular';
  /** A policy lever set by scenarios, not an uncertainty the experiments sample. */
  lever?: boolean;
  /**
   * identifiable: the evidence can pin it down (calibration.json estimates it; until then the
   * default is the centre of its prior); deep: explored over its range, never estimated;
   * switch: a 0/1 choice between two structural readings, sampled in the experiments; fixed:
   * a numeraire, a reported date or a lever's neutral setting.
   */
  estimation: 'identifiable' | 'deep' | 'switch' | 'fixed';
}

export interface Point {
  x: number;
  y: number;
}

export interface VariableSpec {
  name: string;
  kind: 'stock' | 'flow' | 'aux';
  eqn: string;
  units: string;
  doc: string;
  claims: Claim[];
  /** Diagram sector (row band); positions are laid out from it. */
  sector: Sector;
  x: number;
  y: number;
  inflows?: string[];
  outflows?: string[];
  /** Graphical function applied to the value of eqn (evenly spaced over xscale). */
  gf?: { xmin: number; xmax: number; ypts: number[] };
  /** Flow pipe points (right angles only). */
  pts?: Point[];
  /** Present on constants: what the report shows and what experiments sample. */
  parameter?: ParameterSpec;
}

export type Sector = 'russia' | 'decision' | 'pipeline' | 'claim' | 'home' | 'west';

const SECTOR_ROW: Record<Sector, number> = {
  russia: 0,
  decision: 1,
  pipeline: 2,
  claim: 3,
  home: 4,
  west: 5,
};

type Spec = Omit<VariableSpec, 'x' | 'y'>;

const centre = (range: [number, number]) => (range[0] + range[1]) / 2;

/**
 * A constant. Uncertain ones (identifiable, deep) default to the centre of their range; fixed
 * ones and switches give their value.
 */
function constant(
  sector: Sector,
  name: string,
  units: string,
  doc: string,
  claims: Claim[],
  parameter: ParameterSpec,
  value?: number,
): Spec {
  const v =
    parameter.estimation === 'identifiable' || parameter.estimation === 'deep'
      ? centre(parameter.range)
      : value;
  if (v === undefined) throw new Error(`${name}: a fixed constant or switch needs its value`);
  return { name, kind: 'aux', eqn: String(Number(v.toPrecision(12))), units, doc, claims, parameter, sector };
}

const aux = (
  sector: Sector,
  name: string,
  eqn: string,
  units: string,
  doc: string,
  claims: Claim[],
): Spec => ({
  name,
  kind: 'aux',
  eqn,
  units,
  doc,
  claims,
  sector,
});

const flow = (
  sector: Sector,
  name: string,
  eqn: string,
  units: string,
  doc: string,
  claims: Claim[],
): Spec => ({
  name,
  kind: 'flow',
  eqn,
  units,
  doc,
  claims,
  sector,
});

const stock = (
  sector: Sector,
  name: string,
  initial: string,
  units: string,
  doc: string,
  claims: Claim[],
  inflows: string[],
  outflows: string[],
): Spec => ({ name, kind: 'stock', eqn: initial, units, doc, claims, sector, inflows, outflows });

const RF = 'reported-figures.md';

/**
 * The soft minimum of two non-negative quantities of the same units, as an equation:
 * scale x ((a / scale)^-k + (b / scale)^-k)^(-1/k) with k = soft_minimum_sharpness. It is 0 when
 * either term is 0 and 2^(-1/k) of the two where they are equal; `scale` (a positive
 * constant of the same units) only keeps the powers dimensionless. The one definition of every
 * soft minimum of the model.
 */
function softMin(a: string, b: string, scale: string): string {
  const term = (x: string) => `(${x} / ${scale}) ^ (-soft_minimum_sharpness)`;
  return `${scale} * (${term(a)} + ${term(b)}) ^ (-1 / soft_minimum_sharpness)`;
}

export const MODEL_NAME =
  'North Korean troops for Russia: the interlock of fates (case model, second edition)';
/**
 * Runge-Kutta 2 at dt = 1/16 month: within 0.2% of RK4 at dt = 1/256 at the defaults, and better
 * than Euler at dt = 1/32 (the first edition's setting, 1.2% off) at the same cost; see the
 * integration-error test and the README.
 */
export const TIME = { start: 0, stop: 48, dt: 1 / 16, method: 'rk2' as const, units: 'month' };
export const CUSTOM_UNITS = ['people', 'shells', 'missiles', 'credit', 'package', 'value'];

/** The structural switches (C11 readings) and what each setting means. */
export const SWITCHES: Record<string, { 0: string; 1: string }> = {
  c11_casualty_as_down_payment: {
    0: 'service: front service earns the claim; a casualty is only a cost of service',
    1: 'down payment: each casualty itself earns the claim (the seed, C11)',
  },
  c11_value_saturates: {
    0: 'linear: every credit of claim is worth the same to Kim however long it waits',
    1: 'saturating: the longer the backlog of claim, the less the next credit is worth to Kim',
  },
};

const T: Spec[] = [
  // =======================================================================================
  // Russia (C7, C9, C12, C13): a bounded force, losses, recruitment, mobilisation pressure
  constant(
    'russia',
    'russian_force_in_theatre',
    'people',
    'Russian soldiers committed to the war in Ukraine and Kursk, the pool losses come out of (C7). Bounds the unreplaced losses: a force cannot lose more than it has.',
    ['C7'],
    {
      kind: 'assumption',
      source:
        'Assumed order of magnitude of the Russian force in theatre in late 2024 (not in the evidence file; public estimates run 500,000-700,000).',
      range: [500000, 700000],
      estimation: 'deep',
    },
  ),
  constant(
    'russia',
    'russian_losses_at_full_tempo',
    'people/month',
    'Russian soldiers killed or wounded per month when the offensive runs at full tempo with a full-strength force (C7: over a thousand a day).',
    ['C7'],
    {
      kind: 'assumption',
      source:
        'C7 (seed article, Nov 2024): over a thousand Russian soldiers a day; range 1,000-1,500 a day (30,000-45,000 a month).',
      range: [30000, 45000],
      estimation: 'deep',
    },
  ),
  constant(
    'russia',
    'russian_recruitment_capacity',
    'people/month',
    'Soldiers Russia recruits a month by contract, without mobilisation, before bonuses respond to pressure (C7).',
    ['C7'],
    {
      kind: 'assumption',
      source:
        'Assumed around the C7 loss rate: whether voluntary recruitment keeps up is the question C7 raises, so the range spans both sides.',
      range: [22000, 38000],
      estimation: 'deep',
    },
  ),
  constant(
    'russia',
    'recruitment_response_to_pressure',
    'dmnl',
    'Fractional rise in contract recruitment (bonuses, pressure on regions) per unit of mobilisation pressure (C7).',
    ['C7'],
    {
      kind: 'assumption',
      source: 'Assumed: how far money can stand in for mobilisation.',
      range: [0, 0.3],
      estimation: 'deep',
    },
  ),
  constant(
    'russia',
    'russian_mobilisation_capacity',
    'people/month',
    'Recruits a month Russia would call up under full mobilisation: the consequence of intolerable pressure (C7, C9).',
    ['C7', 'C9'],
    {
      kind: 'assumption',
      source:
        'Assumed: the 2022 partial mobilisation called up about 300,000 in roughly two months (public record, not in the evidence file); range from a third of that pace to its full pace.',
      range: [50000, 150000],
      estimation: 'deep',
    },
  ),
  constant(
    'russia',
    'minimum_replacement_time',
    'month',
    'Shortest time in which recruits can fill unreplaced losses: recruitment can never take out more than the gap holds (C7).',
    ['C7'],
    {
      kind: 'assumption',
      source: 'Assumed: one to six weeks of processing and basic training.',
      range: [0.25, 1.5],
      estimation: 'deep',
    },
  ),
  constant(
    'russia',
    'initial_unreplaced_losses',
    'people',
    'Russian losses not yet replaced in October 2024, after months of grinding offensives (C7).',
    ['C7'],
    {
      kind: 'assumption',
      source: 'Assumed: pressing but below the tolerable gap (Russia did not mobilise in October 2024).',
      range: [15000, 45000],
      estimation: 'deep',
    },
  ),
  constant(
    'russia',
    'tolerable_manpower_gap',
    'people',
    'Shortfall at which mobilisation pressure reaches 1: beyond it the Kremlin must either mobilise or slow the offensive (C7).',
    ['C7'],
    {
      kind: 'assumption',
      source: 'Assumed scale of the shortfall the Kremlin can carry (C7).',
      range: [30000, 90000],
      estimation: 'deep',
    },
  ),
  constant(
    'russia',
    'gap_smoothing_width',
    'people',
    'Width over which the manpower gap bends smoothly to zero when North Korean troops fill it completely (C7): a smooth stand-in for MAX(0, gap).',
    ['C7'],
    {
      kind: 'assumption',
      source: 'A numerical choice, not an uncertainty: small against the gap (a few percent of it).',
      range: [1250, 1250],
      estimation: 'fixed',
    },
    1250,
  ),
  constant(
    'russia',
    'pressure_response_steepness',
    'dmnl',
    "How sharply the Kremlin's response (mobilisation, a slower offensive) switches on as pressure passes 1 (C7): the exponent of a Hill function.",
    ['C7'],
    {
      kind: 'assumption',
      source: 'Assumed: from a gradual to an almost threshold-like response.',
      range: [2, 6],
      estimation: 'deep',
    },
  ),
  constant(
    'russia',
    'max_tempo_reduction',
    'dmnl',
    'Share of its offensive tempo Russia gives up when manpower pressure is intolerable (C7).',
    ['C7'],
    { kind: 'assumption', source: 'Assumed.', range: [0.3, 0.8], estimation: 'deep' },
  ),
  stock(
    'russia',
    'russian_unreplaced_losses',
    'initial_unreplaced_losses',
    'people',
    "Russia's replacement gap before foreign help: losses not yet replaced by its own recruits or conscripts (C7).",
    ['C7'],
    ['russian_losses'],
    ['russian_recruitment'],
  ),
  flow(
    'russia',
    'russian_losses',
    'russian_losses_at_full_tempo * offensive_tempo * (1 - russian_unreplaced_losses / russian_force_in_theatre)',
    'people/month',
    'Russian soldiers lost per month: full-tempo losses scaled by the tempo and by the share of the force still in the line, so the gap can never exceed the force (C7; loop R3).',
    ['C7'],
  ),
  aux(
    'russia',
    'russian_recruitment_sought',
    'russian_recruitment_capacity * (1 + recruitment_response_to_pressure * mobilisation_pressure) + russian_mobilisation_capacity * mobilisation_level',
    'people/month',
    'Recruits Russia seeks a month: contract recruitment (rising with pressure) plus conscripts when pressure forces mobilisation (C7).',
    ['C7'],
  ),
  flow(
    'russia',
    'russian_recruitment',
    softMin(
      'russian_recruitment_sought',
      'russian_unreplaced_losses / minimum_replacement_time',
      'russian_recruitment_capacity',
    ),
    'people/month',
    'Recruits filling the gap: the soft minimum of what Russia seeks and what the gap holds (gap / minimum replacement time), so recruitment meets what is sought while there are losses to replace and the stock cannot go negative (C7).',
    ['C7'],
  ),
  constant(
    'russia',
    'nk_combat_substitution_ratio',
    'dmnl',
    'Russian soldiers one North Korean soldier at the front stands in for (C7: an adequate substitute).',
    ['C7'],
    {
      kind: 'assumption',
      source: 'Assumed around one-for-one, lower for language and training gaps (C7).',
      range: [0.5, 1.2],
      estimation: 'deep',
    },
  ),
  constant(
    'russia',
    'area_munitions_blunting_effect',
    'dmnl',
    "How much area munitions cut North Korean assault troops' combat value per unit of applied response (C17: blunting mass assaults). An abstract multiplier.",
    ['C17'],
    { kind: 'assumption', source: 'Assumed abstract multiplier (C17).', range: [0.2, 1], estimation: 'deep' },
  ),
  aux(
    'russia',
    'nk_combat_effectiveness',
    '1 / (1 + area_munitions_blunting_effect * area_munitions_intensity)',
    'dmnl',
    'Combat value of North Korean troops relative to an unopposed assault; area munitions reduce it (C17, C7).',
    ['C17', 'C7'],
  ),
  aux(
    'russia',
    'nk_substitution_for_russian_troops',
    'nk_troops_at_front * nk_combat_substitution_ratio * nk_combat_effectiveness',
    'people',
    'Russian soldiers the North Korean troops at the front stand in for (C7).',
    ['C7'],
  ),
  aux(
    'russia',
    'russian_manpower_gap',
    'gap_smoothing_width * LN(1 + EXP((russian_unreplaced_losses - nk_substitution_for_russian_troops) / gap_smoothing_width))',
    'people',
    'Shortfall left after North Korean help: unreplaced losses less the substitution, bending smoothly to zero when the help covers them (a softplus, C7).',
    ['C7'],
  ),
  aux(
    'russia',
    'mobilisation_pressure',
    'russian_manpower_gap / tolerable_manpower_gap',
    'dmnl',
    'Pressure on the Kremlin to mobilise: 1 when the remaining gap reaches what it can tolerate (C7).',
    ['C7'],
  ),
  aux(
    'russia',
    'mobilisation_level',
    'MAX(0, mobilisation_pressure - 1) ^ pressure_response_steepness / (1 + MAX(0, mobilisation_pressure - 1) ^ pressure_response_steepness)',
    'dmnl',
    'How far the Kremlin has been driven to respond (0 none, 1 full): nothing while the gap is tolerable (pressure up to 1), one half at twice the tolerable gap. Drives conscription, a slower offensive and a political cost (C7, C9).',
    ['C7', 'C9'],
  ),
  aux(
    'russia',
    'offensive_tempo',
    '1 - max_tempo_reduction * mobilisation_level',
    'dmnl',
    'Intensity of Russian offensives relative to full tempo: eased when manpower pressure becomes intolerable (C7; loop B3).',
    ['C7'],
  ),
  aux(
    'russia',
    'russian_strength_index',
    'offensive_tempo * (1 - russian_manpower_gap / russian_force_in_theatre)',
    'dmnl',
    "Russia's momentum: the tempo it can sustain times the share of its force in the line (C9). Rises when North Korean troops fill the gap.",
    ['C9', 'C7'],
  ),
  aux(
    'russia',
    'initial_strength_index',
    'INIT(russian_strength_index)',
    'dmnl',
    "Russia's momentum in October 2024, the reference for the perceived war outcome (C9).",
    ['C9'],
  ),
  constant(
    'russia',
    'war_outcome_perception_time',
    'month',
    'Time for a change in Russian momentum to change how the war is perceived in Moscow and Pyongyang (C9).',
    ['C9'],
    { kind: 'assumption', source: 'Assumed: a season of fighting.', range: [1, 6], estimation: 'deep' },
  ),
  aux(
    'russia',
    'perceived_war_outcome',
    'SMTH1(russian_strength_index / initial_strength_index, war_outcome_perception_time, 1)',
    'dmnl',
    'The war as perceived (1 = as in October 2024): above 1 when Russia gains momentum ("winning together"), below when it falters (C9, both directions).',
    ['C9', 'C14'],
  ),
  constant(
    'russia',
    'mobilisation_political_cost',
    'dmnl',
    "How much a forced mobilisation weakens Putin's hold on power per unit of mobilisation level (C9, C7).",
    ['C9', 'C7'],
    {
      kind: 'assumption',
      source: 'Assumed: mobilisation is what the deployment lets the Kremlin avoid (C7).',
      range: [0, 2],
      estimation: 'deep',
    },
  ),
  aux(
    'russia',
    'putin_hold_on_power',
    'perceived_war_outcome / (1 + mobilisation_political_cost * mobilisation_level)',
    'dmnl',
    "Putin's hold on power: the perceived war outcome, weakened by forced mobilisation (C9).",
    ['C9'],
  ),
  aux(
    'russia',
    'nk_share_of_russian_need',
    'nk_substitution_for_russian_troops / (nk_substitution_for_russian_troops + russian_unreplaced_losses + tolerable_manpower_gap)',
    'dmnl',
    "North Korea's share of Russia's manpower need (its help, over the help plus the remaining losses and the reserve Russia wants): how much Russia depends on it (C9, C13).",
    ['C9', 'C13'],
  ),
  constant(
    'russia',
    'russian_acceptance_of_nuclear_north_korea',
    'dmnl',
    'How far Russia has accepted a nuclear North Korea and would help it (C12): 0 it would never transfer, 1 no reservation.',
    ['C12'],
    {
      kind: 'assumption',
      source: 'C12 (seed): Russia once contained the programme and now accepts it; how far is unknown.',
      range: [0.2, 1],
      estimation: 'deep',
    },
  ),
  constant(
    'russia',
    'alliance_hedging_value',
    'dmnl',
    "Value to Russia of a strong North Korea for its multipolar narrative and as a hedge against dependence on China or the United States (C13), whatever North Korea's troops do.",
    ['C13'],
    {
      kind: 'assumption',
      source: 'C13 (seed, paragraphs 9-10); magnitude assumed.',
      range: [0, 1],
      estimation: 'deep',
    },
  ),
  constant(
    'russia',
    'russian_gratitude_for_troops',
    'dmnl',
    "How much Russia's willingness rises with North Korea's share of its manpower need (C9, C13: dependence).",
    ['C9', 'C13'],
    { kind: 'assumption', source: 'Assumed.', range: [0, 4], estimation: 'deep' },
  ),
  constant(
    'russia',
    'russian_sense_of_obligation',
    'dmnl',
    "How much the outstanding claim binds Russia to pay (C11: Kim's claim grows stronger with the troops he sacrifices), when the backlog is long against the settlement time.",
    ['C11'],
    {
      kind: 'assumption',
      source: 'C11 (seed, paragraph 7); magnitude assumed.',
      range: [0, 1],
      estimation: 'deep',
    },
  ),
  aux(
    'russia',
    'russian_willingness_to_transfer',
    '1 - EXP(-russian_acceptance_of_nuclear_north_korea * (alliance_hedging_value + russian_gratitude_for_troops * nk_share_of_russian_need + russian_sense_of_obligation * claim_backlog / (claim_backlog + claim_settlement_time)) * putin_hold_on_power)',
    'dmnl',
    'Share of the help it could give that Russia is willing to give (0-1, saturating smoothly): acceptance (C12) times hedging value (C13), dependence on North Korean troops (C9) and the obligation the claim creates (C11), times the security of the regime that decides (C9).',
    ['C12', 'C13', 'C9', 'C11'],
  ),
  constant(
    'russia',
    'share_of_need_sought_from_north_korea',
    'dmnl',
    'Share of its gross manpower need Russia asks North Korea to cover (C7): the ceiling Russian demand sets on the deployment.',
    ['C7'],
    {
      kind: 'assumption',
      source: 'Assumed: Russia cannot absorb unlimited foreign troops (language, command, politics).',
      range: [0.2, 0.8],
      estimation: 'deep',
    },
  ),
  aux(
    'russia',
    'russian_demand_for_nk_troops',
    'share_of_need_sought_from_north_korea * (russian_unreplaced_losses + nk_substitution_for_russian_troops)',
    'people',
    'North Korean troops Russia wants: a share of its gross need, the losses not yet replaced plus what North Korean troops already cover (C7; loop R3).',
    ['C7'],
  ),

  // =======================================================================================
  // Kim's decision (C8, C9, C11, C14, C2): anchoring and adjustment toward a desired commitment
  constant(
    'decision',
    'initial_commitment',
    'people',
    'Troops Kim had committed in October 2024: the first contingent (C3, C8).',
    ['C3', 'C8'],
    {
      kind: 'sourced',
      source: `${RF} 5.1: NIS 2024-10-18 (an initial contingent of about 11,000) and the Pentagon 2024-10-29 (about 10,000 sent). The figures are the evidence it is estimated from. Prior set wide without the reported figures, which enter only through the likelihood (calibration.json): 2,000 (a token contingent) to 30,000 (well inside the expeditionary pool).`,
      estimates: ['est-2024-10-18-nis-troops-contingent-plan', 'est-2024-10-29-pentagon-troops'],
      range: [2000, 30000],
      estimation: 'identifiable',
    },
  ),
  stock(
    'decision',
    'kim_troop_commitment',
    'initial_commitment',
    'people',
    'Troops Kim has decided to keep in Russia (C8): adjusts toward the desired commitment, slower when withdrawing once the treaty binds (C2).',
    ['C8', 'C2'],
    ['commitment_change'],
    [],
  ),
  constant(
    'decision',
    'nk_expeditionary_pool',
    'people',
    'Politically reliable, trained troops North Korea could send without weakening its own defences (C8): the bound on any commitment.',
    ['C8'],
    {
      kind: 'assumption',
      source: 'Assumed: a few of its special-forces corps (the Storm Corps is put at tens of thousands).',
      range: [30000, 100000],
      estimation: 'deep',
    },
  ),
  constant(
    'decision',
    'incentive_elasticity',
    'dmnl',
    'How strongly the desired commitment responds to the ratio of perceived benefit to cost (C8).',
    ['C8'],
    { kind: 'assumption', source: 'Assumed.', range: [0.5, 3], estimation: 'deep' },
  ),
  constant(
    'decision',
    'incentive_perception_time',
    'month',
    "Time for a change in the incentive to enter Kim's decision: reports, deliberation, orders (C8).",
    ['C8'],
    { kind: 'assumption', source: 'Assumed.', range: [0.5, 3], estimation: 'deep' },
  ),
  aux(
    'decision',
    'kim_perceived_incentive',
    'SMTH3(kim_incentive_index, incentive_perception_time)',
    'dmnl',
    'The benefit-to-cost ratio as it reaches the decision: smoothed and delayed (third order) (C8).',
    ['C8'],
  ),
  aux(
    'decision',
    'kim_incentive_response',
    'kim_perceived_incentive ^ incentive_elasticity',
    'dmnl',
    'The perceived incentive raised to its elasticity (C8).',
    ['C8'],
  ),
  aux(
    'decision',
    'kim_first_incentive_response',
    'INIT(kim_incentive_response)',
    'dmnl',
    'The incentive response at the start, when Kim chose the first contingent (C8): the reference his later choices are measured against.',
    ['C8'],
  ),
  aux(
    'decision',
    'kim_relative_incentive',
    'IF kim_first_incentive_response > 0 THEN kim_incentive_response / kim_first_incentive_response ELSE 1',
    'dmnl',
    'The incentive response against the one Kim saw when he chose the first contingent (1 at the start; 1 throughout if that first incentive was nil, when his choice revealed nothing about it) (C8).',
    ['C8'],
  ),
  aux(
    'decision',
    'kim_commitment_sought',
    'nk_expeditionary_pool * kim_relative_incentive / (kim_relative_incentive + nk_expeditionary_pool / initial_commitment - 1)',
    'people',
    'Commitment Kim would choose on the incentive alone: the first contingent at the incentive he saw in October 2024 (his first choice reveals his valuation, so the rule starts in equilibrium), rising toward the pool (never past it) as the incentive improves, falling toward zero as it worsens (C8, C14).',
    ['C8', 'C14'],
  ),
  constant(
    'decision',
    'soft_minimum_sharpness',
    'dmnl',
    "How closely a soft minimum follows the smaller of its two terms: the desired commitment (Kim's wish and Russia's demand, C8, C7), Russian recruitment, withdrawals and the claim's redemption (what is sought against what is there). The exponent of the soft minimum (large: a hard minimum).",
    ['C8', 'C7'],
    {
      kind: 'assumption',
      source:
        'A numerical choice, not an uncertainty: where the two terms are equal the soft minimum is 2^(-1/k) of them, 7% below at k = 10, and within 2% of the smaller once they differ by a fifth; sharp enough that the rounding does not move the decision rule off its start, smooth enough for the integration.',
      range: [10, 10],
      estimation: 'fixed',
    },
    10,
  ),
  aux(
    'decision',
    'kim_desired_commitment',
    softMin('kim_commitment_sought', 'russian_demand_for_nk_troops', 'nk_expeditionary_pool'),
    'people',
    'Desired commitment: the smaller of what Kim seeks and what Russia wants, joined smoothly (a soft minimum, C8, C7).',
    ['C8', 'C7'],
  ),
  constant(
    'decision',
    'commitment_adjustment_time',
    'month',
    'Time to close the gap between desired and current commitment (C8): how fast Pyongyang turns intent into a decision.',
    ['C8'],
    {
      kind: 'assumption',
      source:
        'Assumed: deciding, selecting and readying a new contingent takes one to six months (the range is set without the later reports of when waves came).',
      range: [1, 6],
      estimation: 'deep',
    },
  ),
  constant(
    'decision',
    'treaty_entry_into_force_time',
    'month',
    'Month the 2024 treaty entered into force (C2): 2024-12-04, month 2.1.',
    ['C2'],
    {
      kind: 'sourced',
      source: `${RF} 5.5: entry into force on exchange of instruments in Moscow, 2024-12-04.`,
      estimates: ['est-2024-12-04-treaty-in-force'],
      range: [2.1, 2.1],
      estimation: 'fixed',
    },
    2.1,
  ),
  aux(
    'decision',
    'treaty_in_force',
    'STEP(1, treaty_entry_into_force_time)',
    'dmnl',
    'The Comprehensive Strategic Partnership treaty binds (1) from its entry into force (C2).',
    ['C2'],
  ),
  constant(
    'decision',
    'treaty_withdrawal_cost',
    'dmnl',
    'How much longer withdrawing takes once the treaty binds: reneging on Article 4 costs Kim standing with Moscow (C2). 1 doubles the adjustment time when cutting.',
    ['C2'],
    {
      kind: 'assumption',
      source:
        'Assumed: the mutual-assistance clause (Article 4) of the treaty in force from 2024-12-04 makes a withdrawal a breach to explain: from no extra delay to a withdrawal three times slower.',
      range: [0, 2],
      estimation: 'deep',
    },
  ),
  aux(
    'decision',
    'commitment_adjustment_time_now',
    'commitment_adjustment_time * (IF kim_desired_commitment < kim_troop_commitment THEN 1 + treaty_withdrawal_cost * treaty_in_force ELSE 1)',
    'month',
    'Adjustment time in force: longer when cutting the commitment under the treaty (C2, C8).',
    ['C2', 'C8'],
  ),
  flow(
    'decision',
    'commitment_change',
    '(kim_desired_commitment - kim_troop_commitment) / commitment_adjustment_time_now',
    'people/month',
    'Anchoring and adjustment: the commitment moves a fraction of the way to the desired commitment each month, up or down (C8).',
    ['C8'],
  ),

  // =======================================================================================
  // Deployment pipeline (C3, C15): orders, mobilisation, sealift, training, front
  constant(
    'pipeline',
    'nk_order_time',
    'month',
    'Time to turn a gap between commitment and troops sent or in Russia into orders (C3).',
    ['C3'],
    {
      kind: 'sourced',
      source: `${RF} 5.1: the first 1,500 sailed 8-13 October and about 3,000 were in Russia by 23 October: orders within weeks. Prior set wide without the reported figures, which enter only through the likelihood (calibration.json): a few days to a month.`,
      estimates: ['est-2024-10-13-nis-troops', 'est-2024-10-23-nis-troops'],
      range: [0.05, 1],
      estimation: 'identifiable',
    },
  ),
  constant(
    'pipeline',
    'nk_mobilisation_time',
    'month',
    'Average time from order to embarkation: assembling units at the ports (C3).',
    ['C3'],
    {
      kind: 'sourced',
      source: `${RF} 5.1: ports near Chongjin, Hamhung and Musudan (NIS 2024-10-18); shipments through October. Prior set wide without the reported figures, which enter only through the likelihood (calibration.json): a few days to six weeks.`,
      estimates: ['est-2024-10-13-nis-troops', 'est-2024-10-29-pentagon-troops'],
      range: [0.1, 1.5],
      estimation: 'identifiable',
    },
  ),
  constant(
    'pipeline',
    'nk_sealift_time',
    'month',
    'Average voyage and disembarkation time to the Russian Far East (C3).',
    ['C3'],
    {
      kind: 'sourced',
      source: `${RF} 5.1: landing ships to Vladivostok (NIS 2024-10-18). Prior set wide without the reported figures, which enter only through the likelihood (calibration.json): two days to two weeks for a voyage of under 1,000 km and its unloading.`,
      estimates: ['est-2024-10-13-nis-troops'],
      range: [0.05, 0.5],
      estimation: 'identifiable',
    },
  ),
  constant(
    'pipeline',
    'nk_sealift_capacity',
    'people/month',
    'Troops the Russian ships can carry a month (C3): the smooth ceiling on arrivals.',
    ['C3'],
    {
      kind: 'sourced',
      source: `${RF} 5.1: 1,500 on 4 landing ships in about 5 days (NIS 2024-10-18), then about 10,000 by 29 October (Pentagon). Prior set wide without the reported figures, which enter only through the likelihood (calibration.json): 3,000 to 40,000 a month.`,
      estimates: ['est-2024-10-13-nis-troops', 'est-2024-10-29-pentagon-troops'],
      range: [3000, 40000],
      estimation: 'identifiable',
    },
  ),
  constant(
    'pipeline',
    'nk_training_time',
    'month',
    'Average time in the Russian Far East and in staging before the front (C3, C16).',
    ['C3', 'C16'],
    {
      kind: 'sourced',
      source: `${RF} 5.1: arrivals from mid-October; in Kursk by early November, some in combat by 20 November (NIS 2024-11-21). Prior set wide without the reported figures, which enter only through the likelihood (calibration.json): one week to three months.`,
      estimates: ['est-2024-11-20-nis-kursk', 'est-2024-11-04-pentagon-kursk'],
      range: [0.25, 3],
      estimation: 'identifiable',
    },
  ),
  constant(
    'pipeline',
    'nk_tour_length',
    'month',
    'Average time a North Korean soldier stays at the front before rotating home (C15).',
    ['C15'],
    {
      kind: 'sourced',
      source: `${RF} 5.1-5.2: about 13,000 present in July 2025 (DIA) against about 15,000 sent and 4,700 casualties by April (NIS): few went home within the first year. Prior set wide without the reported figures, which enter only through the likelihood (calibration.json): three months to three years.`,
      estimates: ['est-2025-07-13-dia-troops', 'est-2025-04-30-nis-troops'],
      range: [3, 36],
      estimation: 'identifiable',
    },
  ),
  constant(
    'pipeline',
    'loss_perception_time',
    'month',
    'Time over which Pyongyang averages the troops leaving the theatre (killed, wounded, rotated) to order replacements (C8).',
    ['C8'],
    { kind: 'assumption', source: 'Assumed.', range: [0.5, 2], estimation: 'deep' },
  ),
  constant(
    'pipeline',
    'minimum_withdrawal_time',
    'month',
    'Shortest time in which troops at the front can be pulled out: withdrawal never takes more than the front holds (C8).',
    ['C8'],
    {
      kind: 'assumption',
      source: 'Assumed: disengagement and transport.',
      range: [0.25, 1],
      estimation: 'deep',
    },
  ),
  aux(
    'pipeline',
    'nk_troops_in_pipeline',
    'nk_troops_mobilising + nk_troops_at_sea',
    'people',
    'Troops ordered but not yet in Russia: the supply line Pyongyang counts when ordering (C3).',
    ['C3'],
  ),
  aux(
    'pipeline',
    'nk_expected_departures',
    'SMTH1(nk_front_casualties + nk_training_casualties - nk_wounded_to_recover + nk_tour_end_rotation, loss_perception_time, 0)',
    'people/month',
    'Troops leaving the theatre as Pyongyang perceives them (the killed, the wounded sent home and those rotated; not the wounded who will return to duty): the replacements it orders to hold the commitment (C8, C11).',
    ['C8', 'C11'],
  ),
  aux(
    'pipeline',
    'nk_net_deployment_need',
    '(kim_troop_commitment - nk_troops_in_pipeline - nk_troops_in_theatre) / nk_order_time + nk_expected_departures',
    'people/month',
    'Net flow of troops Pyongyang wants: close the gap between commitment and troops sent or in Russia, and replace those leaving. Positive: deploy; negative: withdraw (C8).',
    ['C8'],
  ),
  flow(
    'pipeline',
    'nk_deployment_orders',
    'MAX(0, nk_net_deployment_need)',
    'people/month',
    'Troops ordered to deploy; zero while Pyongyang withdraws, so deployment and withdrawal never run at once (C3, C15).',
    ['C3', 'C15'],
  ),
  stock(
    'pipeline',
    'nk_troops_mobilising',
    '0',
    'people',
    'Troops ordered and assembling at the ports (C3).',
    ['C3'],
    ['nk_deployment_orders'],
    ['nk_embarkation'],
  ),
  flow(
    'pipeline',
    'nk_embarkation',
    'nk_troops_mobilising / nk_mobilisation_time',
    'people/month',
    'Troops boarding Russian ships: a first-order drain of those assembling (C3).',
    ['C3'],
  ),
  stock(
    'pipeline',
    'nk_troops_at_sea',
    '0',
    'people',
    'Troops in sealift to the Russian Far East (C3).',
    ['C3'],
    ['nk_embarkation'],
    ['nk_arrivals'],
  ),
  flow(
    'pipeline',
    'nk_arrivals',
    'nk_sealift_capacity * nk_troops_at_sea / (nk_troops_at_sea + nk_sealift_capacity * nk_sealift_time)',
    'people/month',
    'Troops landing in Russia: the voyage drains the ships (at most troops at sea / sealift time) and saturates smoothly at the sealift capacity. Orders, assembly and voyage in series give the S-shaped arrival of each wave (C3, C15).',
    ['C3', 'C15'],
  ),
  stock(
    'pipeline',
    'nk_troops_training',
    '0',
    'people',
    'North Korean troops in Russia not yet at the front: training in the Far East and staging areas (C3, C16).',
    ['C3', 'C16'],
    ['nk_arrivals'],
    ['nk_troops_entering_combat', 'nk_training_casualties'],
  ),
  flow(
    'pipeline',
    'nk_troops_entering_combat',
    'nk_troops_training / nk_training_time',
    'people/month',
    'Troops leaving training for the front (C3).',
    ['C3'],
  ),
  flow(
    'pipeline',
    'nk_training_casualties',
    'nk_troops_training * nk_staging_attrition_rate',
    'people/month',
    'Casualties among troops in staging areas, from strikes before the front (C16); a first-order drain of the stock.',
    ['C16'],
  ),
  stock(
    'pipeline',
    'nk_troops_at_front',
    '0',
    'people',
    'North Korean troops in combat (C3, C7).',
    ['C3', 'C7'],
    ['nk_troops_entering_combat', 'nk_return_to_duty'],
    ['nk_front_casualties', 'nk_tour_end_rotation', 'nk_withdrawal'],
  ),
  aux(
    'pipeline',
    'nk_troops_in_theatre',
    'nk_troops_training + nk_troops_at_front + nk_wounded_recovering',
    'people',
    'North Korean troops present in Russia: in training and staging, at the front, and wounded under treatment there. Compared with estimates of troops present (C15).',
    ['C15'],
  ),
  constant(
    'pipeline',
    'nk_base_casualty_rate',
    '1/month',
    'Fraction of the troops at the front killed or wounded a month at full Russian tempo, once they have adapted, before any Western lever (C11).',
    ['C11'],
    {
      kind: 'sourced',
      source: `${RF} 5.2: about 3,000 casualties by mid-January 2025 after some six weeks of combat (NIS 2025-01-13), 4,700 by April (NIS 2025-04-30), 92 a day (ISW 2025-01-16) among about 11,000. Prior set wide without the reported figures, which enter only through the likelihood (calibration.json): 1% to 50% of the front-line force a month (quiet sectors to assault infantry).`,
      estimates: [
        'est-2025-01-13-nis-casualties',
        'est-2025-04-30-nis-casualties',
        'est-2025-01-16-isw-casualty-rate',
      ],
      range: [0.01, 0.5],
      estimation: 'identifiable',
    },
  ),
  constant(
    'pipeline',
    'nk_inexperience_casualty_multiplier',
    'dmnl',
    'How many times the base rate troops new to the front are killed or wounded, before they adapt (a learning curve; C11).',
    ['C11'],
    {
      kind: 'assumption',
      source:
        'Assumed: troops without combat experience, new to a drone-heavy front, suffer more until they adapt (a generic learning curve): from no excess to five times the adapted rate. The 2024-25 figures cannot identify it (its contraction was nil in a trial calibration), so it is explored, not estimated.',
      range: [1, 5],
      estimation: 'deep',
    },
  ),
  constant(
    'pipeline',
    'nk_adaptation_time',
    'month',
    'Months at the front over which the excess casualty rate of new troops falls by a factor e (C11).',
    ['C11'],
    {
      kind: 'assumption',
      source:
        'Assumed: adaptation over weeks to half a year. Not identified by the 2024-25 figures (a trial calibration left it at its prior), so explored.',
      range: [0.5, 6],
      estimation: 'deep',
    },
  ),
  stock(
    'pipeline',
    'nk_front_experience',
    '0',
    'people*month',
    'Months of front service held by the troops now at the front (a co-flow of nk_troops_at_front): each soldier-month at the front adds one, each departure takes its average share away (C11).',
    ['C11'],
    ['experience_gained'],
    ['experience_departing'],
  ),
  flow(
    'pipeline',
    'experience_gained',
    'nk_troops_at_front',
    'people',
    'Front experience gained a month: one soldier-month for each soldier at the front (C11).',
    ['C11'],
  ),
  flow(
    'pipeline',
    'experience_departing',
    'nk_average_front_tenure * (nk_front_casualties + nk_tour_end_rotation + nk_withdrawal)',
    'people',
    'Front experience leaving with the troops who leave the front (killed, wounded, rotated or withdrawn), at the average tenure; newcomers dilute the average (C11).',
    ['C11'],
  ),
  aux(
    'pipeline',
    'nk_average_front_tenure',
    'IF nk_troops_at_front > 0 THEN nk_front_experience / nk_troops_at_front ELSE 0',
    'month',
    'Average time the troops at the front have spent there: what the learning curve of their casualty rate runs on (C11).',
    ['C11'],
  ),
  aux(
    'pipeline',
    'nk_inexperience_factor',
    '1 + (nk_inexperience_casualty_multiplier - 1) * EXP(-nk_average_front_tenure / nk_adaptation_time)',
    'dmnl',
    'Excess casualties of a front force that has not yet adapted: the inexperience multiplier for troops new to the front, falling to 1 as their average tenure grows (C11).',
    ['C11'],
  ),
  aux(
    'pipeline',
    'nk_front_casualty_rate',
    'nk_base_casualty_rate * nk_inexperience_factor * offensive_tempo * front_lethality_multiplier',
    '1/month',
    "Casualty rate at the front: the base rate of adapted troops, scaled by the force's inexperience, the Russian tempo and area munitions (C7, C11, C17).",
    ['C7', 'C11', 'C17'],
  ),
  flow(
    'pipeline',
    'nk_front_casualties',
    'nk_troops_at_front * nk_front_casualty_rate',
    'people/month',
    'North Korean soldiers killed or wounded at the front a month (C11, C18).',
    ['C11', 'C18'],
  ),
  flow(
    'pipeline',
    'nk_tour_end_rotation',
    'nk_troops_at_front / nk_tour_length',
    'people/month',
    'Troops going home at the end of their tour (C15).',
    ['C15'],
  ),
  flow(
    'pipeline',
    'nk_withdrawal',
    softMin(
      'MAX(0, -nk_net_deployment_need)',
      'nk_troops_at_front / minimum_withdrawal_time',
      '(nk_expeditionary_pool / minimum_withdrawal_time)',
    ),
    'people/month',
    'Troops withdrawn when the commitment falls below those in Russia: the soft minimum of what Pyongyang wants withdrawn and what the front holds (front / minimum withdrawal time), so an empty front sends nobody home (C8, C4).',
    ['C8', 'C4'],
  ),
  constant(
    'pipeline',
    'nk_killed_share_of_casualties',
    'dmnl',
    'Share of casualties that are deaths (C11).',
    ['C11'],
    {
      kind: 'sourced',
      source: `${RF} 5.2: 300 of 3,000 (NIS 2025-01-13), 600 of 4,700 (NIS 2025-04-30), about 1,000 of 4,000 (Western officials 2025-01-23). Prior set wide without the reported figures, which enter only through the likelihood (calibration.json): 5% to 50% (killed-to-wounded ratios from 1:19 to 1:1).`,
      estimates: ['est-2025-01-13-nis-killed', 'est-2025-04-30-nis-killed', 'est-2025-01-23-western-killed'],
      range: [0.05, 0.5],
      estimation: 'identifiable',
    },
  ),
  // Cumulative records (for the likelihood: each evidence measure has its model variable)
  stock(
    'pipeline',
    'nk_troops_sent_total',
    '0',
    'people',
    'Cumulative North Korean troops landed in Russia: compared with estimates of troops sent (C5, C15).',
    ['C5', 'C15'],
    ['nk_sent_count'],
    [],
  ),
  flow(
    'pipeline',
    'nk_sent_count',
    'nk_arrivals',
    'people/month',
    'Records nk_arrivals in nk_troops_sent_total.',
    ['C15'],
  ),
  stock(
    'pipeline',
    'nk_killed_total',
    '0',
    'people',
    'Cumulative North Korean soldiers killed (C11): compared with estimates of the killed.',
    ['C11'],
    ['nk_killed_count'],
    [],
  ),
  flow(
    'pipeline',
    'nk_killed_count',
    '(nk_front_casualties + nk_training_casualties) * nk_killed_share_of_casualties',
    'people/month',
    'Records the killed share of nk_front_casualties and nk_training_casualties in nk_killed_total.',
    ['C11'],
  ),
  stock(
    'pipeline',
    'nk_wounded_total',
    '0',
    'people',
    'Cumulative North Korean soldiers wounded and evacuated (C11).',
    ['C11'],
    ['nk_wounded_count'],
    [],
  ),
  flow(
    'pipeline',
    'nk_wounded_count',
    '(nk_front_casualties + nk_training_casualties) * (1 - nk_killed_share_of_casualties)',
    'people/month',
    'Records the wounded share of nk_front_casualties and nk_training_casualties in nk_wounded_total.',
    ['C11'],
  ),
  constant(
    'pipeline',
    'nk_wounded_return_share',
    'dmnl',
    'Share of the wounded who are treated in Russia and return to duty; the rest are sent home (C11, C15).',
    ['C11', 'C15'],
    {
      kind: 'assumption',
      source:
        'Assumed: in modern wars between a fifth and two-thirds of the wounded return to duty; set without the 2025 reports of repatriated wounded.',
      range: [0.2, 0.7],
      estimation: 'deep',
    },
  ),
  constant(
    'pipeline',
    'nk_recovery_time',
    'month',
    'Average time a wounded soldier who returns to duty spends under treatment (C11).',
    ['C11'],
    {
      kind: 'assumption',
      source: 'Assumed: two weeks to three months.',
      range: [0.5, 3],
      estimation: 'deep',
    },
  ),
  flow(
    'pipeline',
    'nk_wounded_to_recover',
    '(nk_front_casualties + nk_training_casualties) * (1 - nk_killed_share_of_casualties) * nk_wounded_return_share',
    'people/month',
    'Wounded kept in Russia for treatment, to return to duty (C11).',
    ['C11'],
  ),
  stock(
    'pipeline',
    'nk_wounded_recovering',
    '0',
    'people',
    'Wounded North Korean soldiers under treatment in Russia who will return to the front (C11, C15); counted among the troops present.',
    ['C11', 'C15'],
    ['nk_wounded_to_recover'],
    ['nk_return_to_duty'],
  ),
  flow(
    'pipeline',
    'nk_return_to_duty',
    'nk_wounded_recovering / nk_recovery_time',
    'people/month',
    'Recovered wounded going back to the front (C11). They come back without the front experience the co-flow counts, a simplification that slightly overstates casualties.',
    ['C11'],
  ),
  stock(
    'pipeline',
    'nk_returned_to_duty_total',
    '0',
    'people',
    'Cumulative wounded who returned to duty (C11): a record, so that the troops sent can be reconciled with where they are.',
    ['C11'],
    ['nk_return_count'],
    [],
  ),
  flow(
    'pipeline',
    'nk_return_count',
    'nk_return_to_duty',
    'people/month',
    'Records nk_return_to_duty in nk_returned_to_duty_total (C11).',
    ['C11'],
  ),
  stock(
    'pipeline',
    'nk_rotated_out_total',
    '0',
    'people',
    'Cumulative troops gone home by rotation or withdrawal (C15).',
    ['C15'],
    ['nk_rotation_count'],
    [],
  ),
  flow(
    'pipeline',
    'nk_rotation_count',
    'nk_tour_end_rotation + nk_withdrawal',
    'people/month',
    'Records nk_tour_end_rotation and nk_withdrawal in nk_rotated_out_total.',
    ['C15'],
  ),
  aux(
    'pipeline',
    'nk_casualties_total',
    'nk_killed_total + nk_wounded_total',
    'people',
    'Cumulative North Korean killed and wounded (C11): compared with estimates of killed and wounded.',
    ['C11'],
  ),

  // =======================================================================================
  // Munitions, the claim on Russia and the technology it buys (C10, C11, C12, C9)
  constant(
    'claim',
    'initial_shells_delivered',
    'shells',
    'Artillery shells North Korea had shipped by October 2024 (C2, C10): the material aid before the troops.',
    ['C2', 'C10'],
    {
      kind: 'sourced',
      source: `${RF} 5.3: about a million rounds assessed (NIS Nov 2023, HUR 2024-01-15) and shipments that could contain 3-6 million (MND 2024-02-27, military intelligence 2024-08-27; capacity bounds). Prior 1-6 million.`,
      estimates: [
        'est-2024-01-15-hur-shells',
        'est-2024-02-26-mnd-shells-capacity',
        'est-2024-08-27-kr-intel-shells-capacity',
      ],
      range: [1000000, 6000000],
      estimation: 'deep',
    },
  ),
  constant(
    'claim',
    'shell_delivery_rate',
    'shells/month',
    'Shells shipped a month at full Russian tempo (C10).',
    ['C10'],
    {
      kind: 'sourced',
      source: `${RF} 5.3: container counts rose from about 6,700 (2024-02-26) to over 13,000 (2024-08-27): about 1,000 containers a month, each holding a few hundred shells at most (capacity). Prior 100,000-500,000 a month, from what was reported before October 2024 only.`,
      estimates: ['est-2024-02-26-mnd-containers', 'est-2024-08-27-kr-intel-containers'],
      range: [100000, 500000],
      estimation: 'deep',
    },
  ),
  stock(
    'claim',
    'shells_delivered',
    'initial_shells_delivered',
    'shells',
    'Cumulative artillery shells shipped to Russia (C10).',
    ['C10'],
    ['shell_deliveries'],
    [],
  ),
  flow(
    'claim',
    'shell_deliveries',
    'shell_delivery_rate * offensive_tempo',
    'shells/month',
    'Shells shipped a month, following the Russian tempo (C10).',
    ['C10'],
  ),
  constant(
    'claim',
    'initial_missiles_delivered',
    'missiles',
    'Ballistic missiles (KN-23/24 family) North Korea had supplied by October 2024 (C2, C10).',
    ['C2', 'C10'],
    {
      kind: 'sourced',
      source: `${RF} 5.4: about 50 fired by late February 2024 (Kostin's office, published 2024-05-07) and "dozens" delivered (MND 2024-06-14). Prior set wide without the reported figures, which enter only through the likelihood (calibration.json): 0 to 300.`,
      estimates: ['est-2024-02-27-kostin-missiles-fired', 'est-2024-06-14-mnd-missiles'],
      range: [0, 300],
      estimation: 'identifiable',
    },
  ),
  constant(
    'claim',
    'missile_delivery_rate',
    'missiles/month',
    'Ballistic missiles supplied a month at full Russian tempo (C10).',
    ['C10'],
    {
      kind: 'sourced',
      source: `${RF} 5.4: 148 supplied in 2024 (Budanov, 2025-01-23), i.e. about 12 a month. Prior set wide without the reported figures, which enter only through the likelihood (calibration.json): 1 to 30 a month.`,
      estimates: ['est-2024-12-31-budanov-missiles'],
      range: [1, 30],
      estimation: 'identifiable',
    },
  ),
  stock(
    'claim',
    'missiles_delivered',
    'initial_missiles_delivered',
    'missiles',
    'Cumulative ballistic missiles supplied to Russia (C10).',
    ['C10'],
    ['missile_deliveries'],
    [],
  ),
  flow(
    'claim',
    'missile_deliveries',
    'missile_delivery_rate * offensive_tempo',
    'missiles/month',
    'Missiles supplied a month, following the Russian tempo (C10).',
    ['C10'],
  ),
  constant(
    'claim',
    'c11_casualty_as_down_payment',
    'dmnl',
    'Structural switch (C11): 1, each casualty itself earns claim on Russia (the seed\'s "down payment"); 0, front service earns the claim and a casualty is only its cost.',
    ['C11'],
    {
      kind: 'assumption',
      source:
        "Two readings of C11 (seed, paragraph 7); the experiments sample both. Default: the seed's reading.",
      range: [0, 1],
      estimation: 'switch',
    },
    1,
  ),
  constant(
    'claim',
    'c11_value_saturates',
    'dmnl',
    'Structural switch (C11): 1, the longer the backlog of claim, the less the next credit is worth to Kim (saturating); 0, every credit is worth the same however long it waits (linear). Under both readings Russia settles the claim at the same rate, at most one package a month.',
    ['C11'],
    {
      kind: 'assumption',
      source:
        'Two readings of C11; the experiments sample both. Default: saturating, the conservative reading.',
      range: [0, 1],
      estimation: 'switch',
    },
    1,
  ),
  constant(
    'claim',
    'claim_per_troop_month_of_service',
    'credit/(people*month)',
    'Claim one soldier-month at the front earns under the service reading: the numeraire of the claim (C11).',
    ['C11'],
    {
      kind: 'assumption',
      source: 'Numeraire: fixes the unit of the claim.',
      range: [1, 1],
      estimation: 'fixed',
    },
    1,
  ),
  constant(
    'claim',
    'claim_per_casualty',
    'credit/people',
    'Claim one North Korean casualty earns under the down-payment reading (C11), in soldier-months of service.',
    ['C11'],
    {
      kind: 'assumption',
      source:
        'Assumed; centred on the inverse of the central base casualty rate, so that the two readings of C11 earn alike at that rate and differ only in how they respond to casualties.',
      range: [2, 6],
      estimation: 'deep',
    },
  ),
  constant(
    'claim',
    'claim_per_shell',
    'credit/shells',
    'Claim one shipped shell earns (C10), in soldier-months of service.',
    ['C10'],
    {
      kind: 'assumption',
      source:
        'Assumed: a month of shipments (about 300,000 shells) earns as much as 300-3,000 soldier-months of service.',
      range: [0.001, 0.01],
      estimation: 'deep',
    },
  ),
  constant(
    'claim',
    'claim_per_missile',
    'credit/missiles',
    'Claim one ballistic missile earns (C10), in soldier-months of service.',
    ['C10'],
    { kind: 'assumption', source: 'Assumed.', range: [5, 50], estimation: 'deep' },
  ),
  constant(
    'claim',
    'initial_claim_on_russia',
    'credit',
    'Claim outstanding in October 2024 for the shells and missiles already shipped and not yet repaid (C2, C10).',
    ['C2', 'C10'],
    {
      kind: 'assumption',
      source: 'Assumed: part of what 1-6 million shells earn at the claim per shell.',
      range: [0, 20000],
      estimation: 'deep',
    },
  ),
  stock(
    'claim',
    'nk_claim_on_russia',
    'initial_claim_on_russia',
    'credit',
    "North Korea's outstanding claim on Russian help (C10, C11): earned by deliveries and by service or casualties, redeemed as technology is transferred.",
    ['C10', 'C11'],
    ['claim_accrual'],
    ['claim_redemption'],
  ),
  flow(
    'claim',
    'claim_accrual',
    'claim_per_shell * shell_deliveries + claim_per_missile * missile_deliveries + (1 - c11_casualty_as_down_payment) * claim_per_troop_month_of_service * nk_troops_at_front + c11_casualty_as_down_payment * claim_per_casualty * (nk_front_casualties + nk_training_casualties)',
    'credit/month',
    'Claim earned a month: by shells and missiles (C10) and, by the C11 switch, by front service or by casualties (loop R1).',
    ['C10', 'C11'],
  ),
  constant(
    'claim',
    'max_technology_transfer_rate',
    'package/month',
    'Most help Russia can give a month (C10, C12): the numeraire of technology.',
    ['C10', 'C12'],
    {
      kind: 'assumption',
      source: 'Numeraire: fixes the unit of technology.',
      range: [1, 1],
      estimation: 'fixed',
    },
    1,
  ),
  constant(
    'claim',
    'credit_per_package',
    'credit/package',
    'Claim one package of help settles (C10): the price of the deal, in soldier-months of service.',
    ['C10'],
    {
      kind: 'assumption',
      source:
        'Assumed, centred on parity: at the centre, the most Russia gives in a month (one package) settles the claim a contingent of the first reported size earns a month (10,000 planned by December, NIS 2024-10-23; 11,000-12,000, Pentagon 2024-11-04; reported-figures.md 5.1); the range runs from a fifth of that to nearly twice it.',
      range: [2000, 20000],
      estimation: 'deep',
    },
  ),
  aux(
    'claim',
    'redemption_capacity',
    'max_technology_transfer_rate * credit_per_package',
    'credit/month',
    'Claim Russia could settle a month if it gave the most help it can (C10, C12).',
    ['C10', 'C12'],
  ),
  aux(
    'claim',
    'claim_backlog',
    'nk_claim_on_russia / redemption_capacity',
    'month',
    'The outstanding claim in months of the most help Russia can give: how long settling it would take at full rate (C11).',
    ['C11'],
  ),
  constant(
    'claim',
    'claim_settlement_time',
    'month',
    'Time over which a fully willing Russia would settle an outstanding claim if its capacity allowed (C10, C12).',
    ['C10', 'C12'],
    {
      kind: 'assumption',
      source: 'Assumed: a state pays a debt of this kind over months to a couple of years.',
      range: [3, 24],
      estimation: 'deep',
    },
  ),
  aux(
    'claim',
    'redemption_sought',
    'russian_willingness_to_transfer * nk_claim_on_russia / claim_settlement_time',
    'credit/month',
    'Claim Russia is willing to settle a month: the outstanding claim over the settlement time, as far as Russia is willing (C10, C12, C13).',
    ['C10', 'C12', 'C13'],
  ),
  flow(
    'claim',
    'claim_redemption',
    softMin('redemption_sought', 'redemption_capacity', 'redemption_capacity'),
    'credit/month',
    'Claim settled a month: the soft minimum of what Russia is willing to settle and what it can; never more than the claim over the settlement time, so the claim cannot go negative (C10; loop B6).',
    ['C10'],
  ),
  flow(
    'claim',
    'technology_transfer',
    'claim_redemption / credit_per_package',
    'package/month',
    'Nuclear- and missile-related help Russia gives a month: the claim it settles, at the price of the deal; never more than one package a month under either reading of C11 (C10, C12, C13).',
    ['C10', 'C12', 'C13'],
  ),
  stock(
    'claim',
    'technology_transferred',
    '0',
    'package',
    'Cumulative nuclear- and missile-related help received since October 2024, in packages (its own unit, C10).',
    ['C10'],
    ['technology_transfer'],
    [],
  ),
  constant(
    'claim',
    'technology_absorption_time',
    'month',
    'Time for transferred help to become working capability (C10).',
    ['C10'],
    { kind: 'assumption', source: 'Assumed.', range: [6, 24], estimation: 'deep' },
  ),
  aux(
    'claim',
    'technology_absorbed',
    'SMTH3(technology_transferred, technology_absorption_time)',
    'package',
    'Help absorbed into working capability: a third-order delay of the help received (C10).',
    ['C10'],
  ),
  constant(
    'claim',
    'technology_to_double_capability',
    'package',
    "Absorbed help that would double North Korea's nuclear capability index (C9, C10).",
    ['C9', 'C10'],
    { kind: 'assumption', source: 'Assumed.', range: [12, 48], estimation: 'deep' },
  ),
  aux(
    'claim',
    'nk_nuclear_capability',
    '1 + technology_absorbed / technology_to_double_capability',
    'dmnl',
    'North Korean nuclear capability index, 1 = October 2024 (C9, C10).',
    ['C9', 'C10'],
  ),
  constant(
    'claim',
    'kim_capability_goal',
    'dmnl',
    'Capability index at which Kim would judge his deterrent secure enough (C9).',
    ['C9'],
    { kind: 'assumption', source: 'Assumed.', range: [1.5, 4], estimation: 'deep' },
  ),
  aux(
    'claim',
    'marginal_value_of_capability',
    'EXP(-(nk_nuclear_capability - 1) / (kim_capability_goal - 1))',
    'dmnl',
    'Worth of more capability to Kim: 1 in October 2024, falling smoothly as capability approaches his goal (C9; loop B4).',
    ['C9'],
  ),
  constant(
    'claim',
    'kim_learning_time',
    'month',
    'Time for Kim to learn what Russia really gives and what the war really costs (C8).',
    ['C8'],
    { kind: 'assumption', source: 'Assumed.', range: [1, 4], estimation: 'deep' },
  ),
  aux(
    'claim',
    'kim_expected_russian_honour',
    'SMTH1(russian_willingness_to_transfer, kim_learning_time)',
    'dmnl',
    "Russia's willingness to pay as Kim has learnt it (C8, C12).",
    ['C8', 'C12'],
  ),
  constant(
    'claim',
    'value_per_package',
    'value/package',
    'Worth of one package of help to Kim, in unseen casualties (C9, C10).',
    ['C9', 'C10'],
    {
      kind: 'assumption',
      source: "Assumed; the exchange rate the seed's argument turns on (C10, C11).",
      range: [2000, 20000],
      estimation: 'deep',
    },
  ),
  constant(
    'claim',
    'kim_claim_patience',
    'month',
    "Under the saturating reading of C11, the backlog (months of Russia's full capacity) at which Kim values a new credit at half (hyperbolic discounting of a claim that has to queue behind the backlog).",
    ['C11'],
    {
      kind: 'assumption',
      source: 'Assumed: a regime that plans in years but needs help within its own planning horizon.',
      range: [3, 24],
      estimation: 'deep',
    },
  ),
  aux(
    'claim',
    'kim_claim_discount',
    'kim_claim_patience / (kim_claim_patience + claim_backlog)',
    'dmnl',
    'Under the saturating reading of C11, what a new credit is worth against one paid at once: patience / (patience + wait), the wait being the queue ahead of it at the most Russia can settle (the backlog), so the more claim is outstanding, the less the next credit is worth (1 with nothing outstanding) (C11).',
    ['C11'],
  ),
  aux(
    'claim',
    'kim_value_per_credit',
    'value_per_package / credit_per_package * kim_expected_russian_honour * marginal_value_of_capability * (c11_value_saturates * kim_claim_discount + 1 - c11_value_saturates)',
    'value/credit',
    'What one more credit of claim is worth to Kim: the help it buys, as far as Russia honours it, as far as he still needs capability, and (saturating reading) less the longer the queue makes him wait for it (C9, C11; loop B7).',
    ['C9', 'C11'],
  ),

  // =======================================================================================
  // Kim's benefits and costs, and the home front (C8, C9, C11, C18)
  aux(
    'home',
    'staging_share_of_tour',
    'nk_training_time / (nk_training_time + nk_tour_length)',
    'dmnl',
    "Share of a soldier's time in Russia spent in training and staging rather than at the front (C16).",
    ['C16'],
  ),
  aux(
    'home',
    'kim_expected_casualty_rate',
    '(1 - staging_share_of_tour) * kim_expected_front_casualty_rate + staging_share_of_tour * kim_expected_staging_attrition',
    '1/month',
    'Casualties Kim expects per soldier-month in Russia, front and staging together (C8, C16, C17).',
    ['C8', 'C16', 'C17'],
  ),
  aux(
    'home',
    'kim_expected_claim_per_soldier_month',
    '(1 - c11_casualty_as_down_payment) * (1 - staging_share_of_tour) * claim_per_troop_month_of_service + c11_casualty_as_down_payment * claim_per_casualty * kim_expected_casualty_rate',
    'credit/(people*month)',
    'Claim Kim expects a soldier-month in Russia to earn: front service, or casualties, by the C11 switch (loop R1).',
    ['C11'],
  ),
  constant(
    'home',
    'conventional_payoff_per_troop_month',
    'value/(people*month)',
    'What a soldier-month in Russia earns Kim besides the claim: pay, food, oil and combat experience (C8).',
    ['C8'],
    { kind: 'assumption', source: 'Assumed.', range: [0, 0.1], estimation: 'deep' },
  ),
  constant(
    'home',
    'kim_defeat_aversion',
    'dmnl',
    'How much more a soldier-month is worth to Kim per unit Russia falters, to avert a defeat he would share (C9, C14): the losing side of shared fate, as an elasticity of his benefit.',
    ['C9', 'C14'],
    {
      kind: 'assumption',
      source:
        'C9 (both regimes lose together); magnitude assumed: a war outcome 10% worse raises the benefit by 0-40%.',
      range: [0, 4],
      estimation: 'deep',
    },
  ),
  constant(
    'home',
    'kim_bandwagon_value',
    'dmnl',
    'How much more a soldier-month is worth to Kim per unit Russia gains, to share in a victory (C9, C14): the winning side of shared fate, as an elasticity of his benefit.',
    ['C9', 'C14'],
    {
      kind: 'assumption',
      source:
        'C9 (both regimes win together); magnitude assumed: a war outcome 10% better raises the benefit by 0-40%.',
      range: [0, 4],
      estimation: 'deep',
    },
  ),
  aux(
    'home',
    'kim_shared_fate_value',
    '1 + kim_defeat_aversion * MAX(0, 1 - perceived_war_outcome) + kim_bandwagon_value * MAX(0, perceived_war_outcome - 1)',
    'dmnl',
    'How the fate Kim shares with Putin scales the worth of a soldier-month, in both directions: averting a shared defeat, or sharing a victory (1: the war looks as in October 2024) (C9, C14).',
    ['C9', 'C14'],
  ),
  aux(
    'home',
    'kim_expected_benefit',
    '(kim_value_per_credit * kim_expected_claim_per_soldier_month + conventional_payoff_per_troop_month) * kim_shared_fate_value',
    'value/(people*month)',
    'What Kim expects a soldier-month in Russia to earn him (C8, C9, C11).',
    ['C8', 'C9', 'C11'],
  ),
  constant(
    'home',
    'base_cost_per_casualty',
    'value/people',
    'Cost to Kim of a casualty nobody at home sees: the numeraire of his valuation (C8).',
    ['C8'],
    { kind: 'assumption', source: 'Numeraire: fixes the unit of value.', range: [1, 1], estimation: 'fixed' },
    1,
  ),
  constant(
    'home',
    'upkeep_cost_per_troop_month',
    'value/(people*month)',
    'Cost of a soldier-month away from home besides casualties: elite troops missing from the home defences (C8).',
    ['C8'],
    { kind: 'assumption', source: 'Assumed.', range: [0.01, 0.1], estimation: 'deep' },
  ),
  constant(
    'home',
    'domestic_shock_per_visible_casualty',
    'dmnl',
    'Extra cost of a casualty that is seen at home, per unit of visibility (C18: the closed society may be especially sensitive).',
    ['C18'],
    {
      kind: 'assumption',
      source: 'C18 (seed, paragraph 13); magnitude assumed.',
      range: [2, 30],
      estimation: 'deep',
    },
  ),
  constant(
    'home',
    'baseline_loss_visibility',
    'dmnl',
    'Share of losses seen at home without any campaign: a closed society (C18).',
    ['C18'],
    { kind: 'assumption', source: 'Assumed small (C18).', range: [0.01, 0.15], estimation: 'deep' },
  ),
  constant(
    'home',
    'information_campaign_max_visibility',
    'dmnl',
    'Share of losses a saturating information campaign could make seen at home, before the regime counters it (C18).',
    ['C18'],
    { kind: 'assumption', source: 'Assumed (C18).', range: [0.2, 0.8], estimation: 'deep' },
  ),
  aux(
    'home',
    'campaign_reach',
    '1 - EXP(-information_campaign_intensity)',
    'dmnl',
    'How much of its potential the information campaign reaches, saturating smoothly with intensity (C18).',
    ['C18'],
  ),
  aux(
    'home',
    'loss_visibility_at_home',
    '(baseline_loss_visibility + (information_campaign_max_visibility - baseline_loss_visibility) * campaign_reach) / (1 + regime_information_control)',
    'dmnl',
    "Share of losses seen at home: raised by the campaign, cut by the regime's counter-measures (C18).",
    ['C18'],
  ),
  constant(
    'home',
    'loss_visibility_lag',
    'month',
    'Time for losses to become known at home: letters that stop, units that do not return, rumours, broadcasts (C18).',
    ['C18'],
    {
      kind: 'assumption',
      source:
        'Assumed: news of losses reaches families through the returning wounded, missing letters and rumour within one to six months (set without the later reports).',
      range: [1, 6],
      estimation: 'deep',
    },
  ),
  aux(
    'home',
    'losses_seen_at_home',
    'DELAY3((nk_front_casualties + nk_training_casualties) * loss_visibility_at_home, loss_visibility_lag)',
    'people/month',
    'Casualties that become known at home, after the lag (C18; loop B1).',
    ['C18'],
  ),
  constant(
    'home',
    'strain_reference_losses',
    'people',
    'Visible losses that raise domestic strain by one unit (C18).',
    ['C18'],
    { kind: 'assumption', source: 'Assumed.', range: [500, 5000], estimation: 'deep' },
  ),
  constant(
    'home',
    'strain_recovery_time',
    'month',
    'Time for domestic strain to fade once losses stop being seen (C18).',
    ['C18'],
    { kind: 'assumption', source: 'Assumed.', range: [3, 12], estimation: 'deep' },
  ),
  stock(
    'home',
    'domestic_strain',
    '0',
    'dmnl',
    'Strain on the regime at home from losses seen (C18).',
    ['C18'],
    ['strain_from_visible_losses'],
    ['strain_recovery'],
  ),
  flow(
    'home',
    'strain_from_visible_losses',
    'losses_seen_at_home / strain_reference_losses',
    '1/month',
    'Strain added by losses seen at home (C18).',
    ['C18'],
  ),
  flow(
    'home',
    'strain_recovery',
    'domestic_strain / strain_recovery_time',
    '1/month',
    'Strain fading: a first-order drain (C18).',
    ['C18'],
  ),
  constant(
    'home',
    'counter_measure_strength',
    'dmnl',
    'How hard the regime answers strain with control of information (jamming, closed units, silence about the dead) (C18).',
    ['C18'],
    {
      kind: 'assumption',
      source:
        'Assumed: from a regime that does not answer strain with more control (0) to one that doubles its control for each unit of strain (2); set without the later reports.',
      range: [0, 2],
      estimation: 'deep',
    },
  ),
  constant(
    'home',
    'counter_measure_time',
    'month',
    'Time for the regime to bring its control of information to the level strain calls for (C18).',
    ['C18'],
    { kind: 'assumption', source: 'Assumed.', range: [1, 6], estimation: 'deep' },
  ),
  stock(
    'home',
    'regime_information_control',
    '0',
    'dmnl',
    "The regime's counter-measure to visible losses: control of information that divides visibility (C18).",
    ['C18'],
    ['control_change'],
    [],
  ),
  flow(
    'home',
    'control_change',
    '(counter_measure_strength * domestic_strain - regime_information_control) / counter_measure_time',
    '1/month',
    'The regime adjusts its control toward what strain calls for, up or down (C18).',
    ['C18'],
  ),
  aux(
    'home',
    'kim_perceived_visibility',
    'SMTH1(loss_visibility_at_home, kim_learning_time)',
    'dmnl',
    'Visibility of losses as Kim has learnt it (C18).',
    ['C18'],
  ),
  aux(
    'home',
    'committed_visibility',
    '(baseline_loss_visibility + (information_campaign_max_visibility - baseline_loss_visibility) * (1 - EXP(-(status_quo_lever_use * western_response_level + information_campaign_lever * deterrence_response_level)))) / (1 + regime_information_control)',
    'dmnl',
    'Visibility the announced campaign promises once at full strength (C18, C4).',
    ['C18', 'C4'],
  ),
  aux(
    'home',
    'kim_expected_visibility',
    'kim_perceived_visibility + deterrence_in_force * deterrence_credibility * MAX(0, committed_visibility - kim_perceived_visibility)',
    'dmnl',
    'Visibility Kim expects: what he has seen, plus, as far as the announcement is credible, what it promises, before any loss is seen (C18, C4).',
    ['C18', 'C4'],
  ),
  aux(
    'home',
    'kim_cost_per_casualty',
    'base_cost_per_casualty * (1 + kim_expected_visibility * domestic_shock_per_visible_casualty * (1 + domestic_strain))',
    'value/people',
    'Cost to Kim of a casualty: higher the more losses are seen at home and the more strained the regime is (C8, C18; loop B1).',
    ['C8', 'C18'],
  ),
  aux(
    'home',
    'kim_expected_cost',
    'kim_expected_casualty_rate * kim_cost_per_casualty + upkeep_cost_per_troop_month',
    'value/(people*month)',
    'What Kim expects a soldier-month in Russia to cost him (C8, C18).',
    ['C8', 'C18'],
  ),
  aux(
    'home',
    'kim_incentive_index',
    'kim_expected_benefit / kim_expected_cost',
    'dmnl',
    'Benefit over cost of a soldier-month in Russia: above 1 the deployment pays for Kim (C8, C11, C14).',
    ['C8', 'C11', 'C14'],
  ),

  // =======================================================================================
  // The West: escalation management or deterrence (C4, C14, C16, C17, C18)
  constant(
    'west',
    'status_quo_lever_use',
    'dmnl',
    'Share of each instrument (staging strikes, area munitions, publicity of losses) the escalation-management response uses at response level 1 (C4, C16-C18).',
    ['C4', 'C16', 'C17', 'C18'],
    {
      kind: 'assumption',
      source: 'Assumed reading of the Western response in late 2024.',
      range: [0.1, 0.5],
      estimation: 'deep',
    },
  ),
  constant(
    'west',
    'em_response_gain',
    'dmnl',
    'Response level escalation management reaches per unit of observed escalation (C4, C14).',
    ['C4', 'C14'],
    { kind: 'assumption', source: 'Assumed.', range: [0.2, 0.8], estimation: 'deep' },
  ),
  constant(
    'west',
    'em_response_lag',
    'month',
    'Time for escalation management to bring its response to the level observed escalation calls for (C4, C14: late).',
    ['C4', 'C14'],
    { kind: 'assumption', source: 'Assumed.', range: [3, 12], estimation: 'deep' },
  ),
  constant(
    'west',
    'escalation_reference',
    'people',
    'Troops in Russia that count as escalation 1: the first contingent as reported when the response began (C4).',
    ['C4'],
    {
      kind: 'sourced',
      source: `${RF} 5.1: about 11,000-12,000 in Russia (Pentagon 2024-11-04).`,
      estimates: ['est-2024-11-04-pentagon-troops'],
      range: [11500, 11500],
      estimation: 'fixed',
    },
    11500,
  ),
  aux(
    'west',
    'observed_escalation_index',
    'nk_troops_in_theatre / escalation_reference',
    'dmnl',
    'Escalation the West observes: troops in Russia against the first contingent (C4). Defined at any commitment, zero included.',
    ['C4'],
  ),
  aux(
    'west',
    'western_target_response',
    'em_response_gain * observed_escalation_index',
    'dmnl',
    'Response escalation management aims at: proportional to observed escalation (C4, C14).',
    ['C4', 'C14'],
  ),
  stock(
    'west',
    'western_response_level',
    '0',
    'dmnl',
    'Response level of escalation management (C4, C14).',
    ['C4', 'C14'],
    ['western_response_adjustment'],
    [],
  ),
  flow(
    'west',
    'western_response_adjustment',
    '(western_target_response - western_response_level) / em_response_lag',
    '1/month',
    'The response follows its target with a lag, up or down (C4, C14; loop B2).',
    ['C4', 'C14'],
  ),
  constant(
    'west',
    'deterrence_policy',
    'dmnl',
    'Lever: 1 announces pre-committed deterrence from policy_start_time (C4, C15).',
    ['C4', 'C15'],
    {
      kind: 'assumption',
      source: 'Policy lever set by scenarios.',
      range: [0, 1],
      lever: true,
      estimation: 'fixed',
    },
    0,
  ),
  constant(
    'west',
    'policy_start_time',
    'month',
    'Month deterrence is announced and in force (C4): December 2024, a month after the seed article.',
    ['C4'],
    {
      kind: 'assumption',
      source: 'Policy design, not an uncertainty: December 2024, one month after the article.',
      range: [2, 2],
      estimation: 'fixed',
    },
    2,
  ),
  constant(
    'west',
    'deterrence_response_level',
    'dmnl',
    'Strength of each deterrent instrument once in force, on the response-level scale (C4, C16-C18).',
    ['C4', 'C16', 'C17', 'C18'],
    {
      kind: 'assumption',
      source: 'Assumed: twice the response level escalation management reaches at escalation 1.',
      range: [0.5, 2],
      estimation: 'deep',
    },
  ),
  constant(
    'west',
    'deterrence_ramp_time',
    'month',
    'Time for deterrent instruments to reach full strength once in force (C16-C18).',
    ['C16', 'C17', 'C18'],
    { kind: 'assumption', source: 'Assumed.', range: [0.5, 3], estimation: 'deep' },
  ),
  constant(
    'west',
    'deterrence_credibility',
    'dmnl',
    'How far Kim believes the announced deterrent before he sees its effect (C4, C15): credibility acts on the decision before losses are felt.',
    ['C4', 'C15'],
    { kind: 'assumption', source: 'Assumed.', range: [0, 1], estimation: 'deep' },
  ),
  aux(
    'west',
    'deterrence_in_force',
    'deterrence_policy * STEP(1, policy_start_time)',
    'dmnl',
    'Deterrence announced and in force (C4).',
    ['C4'],
  ),
  aux(
    'west',
    'deterrence_applied',
    'SMTH1(deterrence_in_force * deterrence_response_level, deterrence_ramp_time, 0)',
    'dmnl',
    'Deterrent strength actually applied, ramping up (C16-C18).',
    ['C16', 'C17', 'C18'],
  ),
  constant(
    'west',
    'interdiction_lever',
    'dmnl',
    'Lever: 1 applies strikes on staging areas under deterrence (C16). An abstract multiplier.',
    ['C16'],
    {
      kind: 'assumption',
      source: 'Policy lever set by scenarios.',
      range: [0, 1],
      lever: true,
      estimation: 'fixed',
    },
    0,
  ),
  constant(
    'west',
    'area_munitions_lever',
    'dmnl',
    'Lever: 1 applies a mass supply of area munitions under deterrence (C17). An abstract multiplier.',
    ['C17'],
    {
      kind: 'assumption',
      source: 'Policy lever set by scenarios.',
      range: [0, 1],
      lever: true,
      estimation: 'fixed',
    },
    0,
  ),
  constant(
    'west',
    'information_campaign_lever',
    'dmnl',
    'Lever: 1 applies the information campaign under deterrence (C18). An abstract multiplier.',
    ['C18'],
    {
      kind: 'assumption',
      source: 'Policy lever set by scenarios.',
      range: [0, 1],
      lever: true,
      estimation: 'fixed',
    },
    0,
  ),
  aux(
    'west',
    'interdiction_intensity',
    'status_quo_lever_use * western_response_level + interdiction_lever * deterrence_applied',
    'dmnl',
    'Intensity of strikes on staging areas (C16).',
    ['C16'],
  ),
  aux(
    'west',
    'area_munitions_intensity',
    'status_quo_lever_use * western_response_level + area_munitions_lever * deterrence_applied',
    'dmnl',
    'Intensity of area-munitions use against massed assaults (C17).',
    ['C17'],
  ),
  aux(
    'west',
    'information_campaign_intensity',
    'status_quo_lever_use * western_response_level + information_campaign_lever * deterrence_applied',
    'dmnl',
    'Intensity of the information campaign on North Korean losses (C18).',
    ['C18'],
  ),
  constant(
    'west',
    'interdiction_max_attrition_rate',
    '1/month',
    'Casualty rate among troops in staging areas per unit of interdiction intensity (C16). An abstract multiplier.',
    ['C16'],
    {
      kind: 'assumption',
      source: 'Assumed abstract multiplier (C16).',
      range: [0.05, 0.3],
      estimation: 'deep',
    },
  ),
  constant(
    'west',
    'area_munitions_max_lethality_increase',
    'dmnl',
    'Rise in the front casualty rate per unit of area-munitions intensity (C17). An abstract multiplier.',
    ['C17'],
    { kind: 'assumption', source: 'Assumed abstract multiplier (C17).', range: [0.5, 2], estimation: 'deep' },
  ),
  aux(
    'west',
    'nk_staging_attrition_rate',
    'interdiction_max_attrition_rate * interdiction_intensity',
    '1/month',
    'Casualty rate in staging areas from strikes (C16).',
    ['C16'],
  ),
  aux(
    'west',
    'front_lethality_multiplier',
    '1 + area_munitions_max_lethality_increase * area_munitions_intensity',
    'dmnl',
    'Multiplier on the front casualty rate from area munitions (C17).',
    ['C17'],
  ),
  aux(
    'pipeline',
    'nk_tour_average_inexperience_factor',
    '1 + (nk_inexperience_casualty_multiplier - 1) * nk_adaptation_time / nk_tour_length * (1 - EXP(-nk_tour_length / nk_adaptation_time))',
    'dmnl',
    'The inexperience factor averaged over a whole tour (its learning curve integrated over the tour): what a soldier sent can expect, whatever the mix of new and adapted troops at the front today (C11).',
    ['C11'],
  ),
  aux(
    'west',
    'nk_expected_tour_casualty_rate',
    'nk_base_casualty_rate * nk_tour_average_inexperience_factor * offensive_tempo * front_lethality_multiplier',
    '1/month',
    "The front casualty rate a soldier can expect over his tour: the base rate with the tour-average inexperience factor, scaled by the Russian tempo and area munitions. Kim weighs this, not the rate of the moment, so the front's adaptation is not news to him (C8, C11, C17).",
    ['C8', 'C11', 'C17'],
  ),
  aux(
    'west',
    'kim_perceived_front_casualty_rate',
    'SMTH1(nk_expected_tour_casualty_rate, kim_learning_time)',
    '1/month',
    'Front casualty rate over a tour as Kim has learnt it (C8).',
    ['C8'],
  ),
  aux(
    'west',
    'kim_perceived_staging_attrition',
    'SMTH1(nk_staging_attrition_rate, kim_learning_time)',
    '1/month',
    'Staging casualty rate as Kim has learnt it (C8, C16).',
    ['C8', 'C16'],
  ),
  aux(
    'west',
    'committed_front_casualty_rate',
    'nk_base_casualty_rate * nk_tour_average_inexperience_factor * offensive_tempo * (1 + area_munitions_max_lethality_increase * (status_quo_lever_use * western_response_level + area_munitions_lever * deterrence_response_level))',
    '1/month',
    'Front casualty rate the announced deterrent promises at full strength (C17, C4).',
    ['C17', 'C4'],
  ),
  aux(
    'west',
    'committed_staging_attrition',
    'interdiction_max_attrition_rate * (status_quo_lever_use * western_response_level + interdiction_lever * deterrence_response_level)',
    '1/month',
    'Staging casualty rate the announced deterrent promises at full strength (C16, C4).',
    ['C16', 'C4'],
  ),
  aux(
    'west',
    'kim_expected_front_casualty_rate',
    'kim_perceived_front_casualty_rate + deterrence_in_force * deterrence_credibility * MAX(0, committed_front_casualty_rate - kim_perceived_front_casualty_rate)',
    '1/month',
    'Front casualty rate Kim expects: learnt, plus the credible part of what deterrence promises (C4, C17).',
    ['C4', 'C17'],
  ),
  aux(
    'west',
    'kim_expected_staging_attrition',
    'kim_perceived_staging_attrition + deterrence_in_force * deterrence_credibility * MAX(0, committed_staging_attrition - kim_perceived_staging_attrition)',
    '1/month',
    'Staging casualty rate Kim expects: learnt, plus the credible part of what deterrence promises (C4, C16).',
    ['C4', 'C16'],
  ),
];

/** Lay the diagram out by sector: one band per sector, elements left to right in table order. */
function layout(specs: Spec[]): VariableSpec[] {
  const column = new Map<Sector, number>();
  return specs.map((s) => {
    const i = column.get(s.sector) ?? 0;
    column.set(s.sector, i + 1);
    const x = 60 + (i % 14) * 105;
    const y = 70 + SECTOR_ROW[s.sector] * 330 + Math.floor(i / 14) * 80;
    const v: VariableSpec = { ...s, x, y };
    if (s.kind === 'flow')
      v.pts = [
        { x: x - 40, y },
        { x: x + 40, y },
      ];
    return v;
  });
}

export const VARIABLES: VariableSpec[] = layout(T);
