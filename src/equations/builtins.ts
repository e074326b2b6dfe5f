/**
 * The one catalogue of builtin functions: name, arity and semantics, documented once. The
 * compiler decides how each kind is lowered: `pure` functions become JavaScript expressions over
 * their arguments (see `emit`), `stateful` ones become small internal stock-and-flow structures,
 * `random` ones read a per-step draw, `array` ones reduce over array elements.
 */

export type BuiltinKind =
  'pure' | 'time' | 'constant' | 'test-input' | 'stateful' | 'random' | 'array' | 'lookup';

/**
 * How the units checker (src/units/check.ts) finds the units of a call: those of argument `i`;
 * a pure number that fits any units (counts, signs, positions); dimensionless arguments and
 * result (EXP, SIN...); the model's time unit; a rule of its own in the checker, which must
 * handle every builtin marked so (the compiler checks its switch); or not checked.
 */
export type UnitsRule =
  | { k: 'arg'; i: number }
  | { k: 'free' }
  | { k: 'dimensionless' }
  | { k: 'time' }
  | { k: 'checker' }
  | { k: 'unchecked' };

/**
 * How loop polarity (src/loops/) treats a call when it finds the sign of a link by evaluating
 * equations: `evaluate` with the engine's own definition (the emitter below); `branches` like
 * `evaluate`, but in structural mode every argument counts (MIN/MAX: the sum of the arguments);
 * `follows-input` for delays and smooths, whose settled value follows their first argument;
 * `opaque` when the value cannot be evaluated from the arguments alone (state, randomness, arrays).
 */
export type PolarityRule = 'evaluate' | 'branches' | 'follows-input' | 'opaque';

export interface Rules {
  units: UnitsRule;
  polarity: PolarityRule;
}

type Emit = (args: string[]) => string;

export interface Builtin<N extends string = string, K extends BuiltinKind = BuiltinKind> {
  name: N;
  kind: K;
  minArgs: number;
  maxArgs: number;
  /** Semantics, documented once here and generated into docs/builtins.md. */
  doc: string;
  units: UnitsRule;
  polarity: PolarityRule;
  /**
   * For pure functions and test inputs (required there): a JavaScript expression over the
   * argument expressions. `R` is the runtime helper object (see simulate/runtime.ts).
   */
  emit?: Emit;
}

const arg = (i: number) => ({ k: 'arg', i }) as const;
const FREE = { k: 'free' } as const;
const DIMENSIONLESS = { k: 'dimensionless' } as const;
const TIME_UNIT = { k: 'time' } as const;
const CHECKER = { k: 'checker' } as const;
const UNCHECKED = { k: 'unchecked' } as const;

/** Pure functions and test inputs are emitted as expressions: for them the emitter is required. */
type EmitArg<K extends BuiltinKind> = K extends 'pure' | 'test-input' ? [emit: Emit] : [];

const b = <N extends string, K extends BuiltinKind, U extends UnitsRule>(
  name: N,
  kind: K,
  rules: { units: U; polarity: PolarityRule },
  minArgs: number,
  maxArgs: number,
  doc: string,
  ...emit: EmitArg<K>
): Builtin<N, K> & { units: U } => ({
  name,
  kind,
  minArgs,
  maxArgs,
  doc,
  units: rules.units,
  polarity: rules.polarity,
  emit: (emit as Emit[])[0],
});

const INF_ARGS = 1e9;

const CATALOGUE = [
  // Mathematical (XMILE 3.5.1)
  b(
    'ABS',
    'pure',
    { units: arg(0), polarity: 'evaluate' },
    1,
    1,
    'Absolute value.',
    (a) => `Math.abs(${a[0]})`,
  ),
  b(
    'ARCCOS',
    'pure',
    { units: DIMENSIONLESS, polarity: 'evaluate' },
    1,
    1,
    'Arc cosine, in radians; NaN outside [-1, 1].',
    (a) => `Math.acos(${a[0]})`,
  ),
  b(
    'ARCSIN',
    'pure',
    { units: DIMENSIONLESS, polarity: 'evaluate' },
    1,
    1,
    'Arc sine, in radians; NaN outside [-1, 1].',
    (a) => `Math.asin(${a[0]})`,
  ),
  b(
    'ARCTAN',
    'pure',
    { units: DIMENSIONLESS, polarity: 'evaluate' },
    1,
    1,
    'Arc tangent, in radians.',
    (a) => `Math.atan(${a[0]})`,
  ),
  b(
    'COS',
    'pure',
    { units: DIMENSIONLESS, polarity: 'evaluate' },
    1,
    1,
    'Cosine of an angle in radians.',
    (a) => `Math.cos(${a[0]})`,
  ),
  b(
    'SIN',
    'pure',
    { units: DIMENSIONLESS, polarity: 'evaluate' },
    1,
    1,
    'Sine of an angle in radians.',
    (a) => `Math.sin(${a[0]})`,
  ),
  b(
    'TAN',
    'pure',
    { units: DIMENSIONLESS, polarity: 'evaluate' },
    1,
    1,
    'Tangent of an angle in radians.',
    (a) => `Math.tan(${a[0]})`,
  ),
  b(
    'COSH',
    'pure',
    { units: DIMENSIONLESS, polarity: 'evaluate' },
    1,
    1,
    'Hyperbolic cosine (Stella extension).',
    (a) => `Math.cosh(${a[0]})`,
  ),
  b(
    'SINH',
    'pure',
    { units: DIMENSIONLESS, polarity: 'evaluate' },
    1,
    1,
    'Hyperbolic sine (Stella extension).',
    (a) => `Math.sinh(${a[0]})`,
  ),
  b(
    'TANH',
    'pure',
    { units: DIMENSIONLESS, polarity: 'evaluate' },
    1,
    1,
    'Hyperbolic tangent (Stella extension).',
    (a) => `Math.tanh(${a[0]})`,
  ),
  b(
    'EXP',
    'pure',
    { units: DIMENSIONLESS, polarity: 'evaluate' },
    1,
    1,
    'e raised to the argument.',
    (a) => `Math.exp(${a[0]})`,
  ),
  b(
    'INT',
    'pure',
    { units: arg(0), polarity: 'evaluate' },
    1,
    1,
    'Largest integer not above the argument (floor: INT(-1.5) = -2).',
    (a) => `Math.floor(${a[0]})`,
  ),
  b(
    'LN',
    'pure',
    { units: DIMENSIONLESS, polarity: 'evaluate' },
    1,
    1,
    'Natural logarithm; NaN for negative input, -INF at 0.',
    (a) => `Math.log(${a[0]})`,
  ),
  b(
    'LOG10',
    'pure',
    { units: DIMENSIONLESS, polarity: 'evaluate' },
    1,
    1,
    'Base-10 logarithm.',
    (a) => `Math.log10(${a[0]})`,
  ),
  b(
    'LOG',
    'pure',
    { units: DIMENSIONLESS, polarity: 'evaluate' },
    2,
    2,
    'LOG(x, base): logarithm of x in the given base (Stella extension).',
    (a) => `(Math.log(${a[0]}) / Math.log(${a[1]}))`,
  ),
  b(
    'SQRT',
    'pure',
    { units: CHECKER, polarity: 'evaluate' },
    1,
    1,
    'Square root; NaN for negative input.',
    (a) => `Math.sqrt(${a[0]})`,
  ),
  b(
    'SIGN',
    'pure',
    { units: FREE, polarity: 'evaluate' },
    1,
    1,
    'Sign of the argument: -1, 0 or 1 (Stella extension).',
    (a) => `Math.sign(${a[0]})`,
  ),
  b(
    'ROUND',
    'pure',
    { units: arg(0), polarity: 'evaluate' },
    1,
    1,
    'Nearest integer, halves away from zero (Stella extension).',
    (a) => `R.round(${a[0]})`,
  ),
  b(
    'MOD',
    'pure',
    { units: CHECKER, polarity: 'evaluate' },
    2,
    2,
    'MOD(a, b): floored remainder, the sign of b (same as the `MOD` operator).',
    (a) => `R.mod(${a[0]}, ${a[1]})`,
  ),
  b(
    'POWER',
    'pure',
    { units: CHECKER, polarity: 'evaluate' },
    2,
    2,
    'POWER(a, b) = a^b (Vensim extension).',
    (a) => `Math.pow(${a[0]}, ${a[1]})`,
  ),
  b(
    'MAX',
    'pure',
    { units: CHECKER, polarity: 'branches' },
    1,
    INF_ARGS,
    'MAX(x, y, ...): the largest argument. With one array argument: the largest element (XMILE array builtin).',
    (a) => `Math.max(${a.join(', ')})`,
  ),
  b(
    'MIN',
    'pure',
    { units: CHECKER, polarity: 'branches' },
    1,
    INF_ARGS,
    'MIN(x, y, ...): the smallest argument. With one array argument: the smallest element.',
    (a) => `Math.min(${a.join(', ')})`,
  ),
  b(
    'SAFEDIV',
    'pure',
    { units: CHECKER, polarity: 'evaluate' },
    2,
    3,
    'SAFEDIV(a, b[, x]): a/b, or x (default 0) when b is 0 (Stella extension).',
    (a) => `R.safediv(${a[0]}, ${a[1]}, ${a[2] ?? '0'})`,
  ),
  b(
    'XIDZ',
    'pure',
    { units: CHECKER, polarity: 'evaluate' },
    3,
    3,
    'XIDZ(a, b, x): a/b, or x when b is 0 (Vensim extension).',
    (a) => `R.safediv(${a[0]}, ${a[1]}, ${a[2]})`,
  ),
  b(
    'ZIDZ',
    'pure',
    { units: CHECKER, polarity: 'evaluate' },
    2,
    2,
    'ZIDZ(a, b): a/b, or 0 when b is 0 (Vensim extension).',
    (a) => `R.safediv(${a[0]}, ${a[1]}, 0)`,
  ),
  // Vensim's numeric functions whose semantics differ from XMILE's nearest ones.
  b(
    'INTEGER',
    'pure',
    { units: arg(0), polarity: 'evaluate' },
    1,
    1,
    "INTEGER(x): x truncated toward zero (Vensim): INTEGER(-9.9) = -9, where XMILE's INT (floor) gives -10.",
    (a) => `Math.trunc(${a[0]})`,
  ),
  b(
    'MODULO',
    'pure',
    { units: CHECKER, polarity: 'evaluate' },
    2,
    2,
    "MODULO(x, b): x - b x INTEGER(x/b), the sign of x (Vensim): MODULO(-10, 3) = -1, where XMILE's MOD (floored) gives 2.",
    (a) => `(${a[0]} % ${a[1]})`,
  ),
  b(
    'QUANTUM',
    'pure',
    { units: arg(0), polarity: 'evaluate' },
    2,
    2,
    'QUANTUM(x, q): q x INTEGER(x/q), or x itself when q <= 0 (Vensim).',
    (a) => `R.quantum(${a[0]}, ${a[1]})`,
  ),
  b(
    'GAME',
    'pure',
    { units: arg(0), polarity: 'evaluate' },
    1,
    1,
    'GAME(x): x (Vensim; the gaming interface that could override it is not modelled).',
    (a) => `(${a[0]})`,
  ),
  b(
    'PI',
    'constant',
    { units: FREE, polarity: 'evaluate' },
    0,
    0,
    'The ratio of a circle to its diameter, 3.14159...',
  ),
  b('INF', 'constant', { units: FREE, polarity: 'evaluate' }, 0, 0, 'Positive infinity.'),
  // Time (3.5.5)
  b(
    'TIME',
    'time',
    { units: TIME_UNIT, polarity: 'opaque' },
    0,
    0,
    'The current simulated time (start + step count x DT, never accumulated).',
  ),
  b('DT', 'time', { units: TIME_UNIT, polarity: 'opaque' }, 0, 0, 'The integration step.'),
  b('STARTTIME', 'time', { units: TIME_UNIT, polarity: 'opaque' }, 0, 0, 'The start of the simulation.'),
  b('STOPTIME', 'time', { units: TIME_UNIT, polarity: 'opaque' }, 0, 0, 'The end of the simulation.'),
  // Test inputs (3.5.4)
  b(
    'PULSE',
    'test-input',
    { units: CHECKER, polarity: 'opaque' },
    2,
    3,
    "PULSE(magnitude, first[, interval]): magnitude/DT for one DT at `first`, repeated every `interval` when it is above 0. A pulse time between two steps fires at the next step, never before its time. Evaluated at the step's time in every integration stage, so RK2/RK4 move the same amount in the same step as Euler.",
    (a) => `R.pulse(X.start + X.step * dt, dt, ${a[0]}, ${a[1]}, ${a[2] ?? '0'})`,
  ),
  b(
    'RAMP',
    'test-input',
    { units: CHECKER, polarity: 'opaque' },
    2,
    3,
    'RAMP(slope, start[, end]): 0 before `start`, then slope x (TIME - start), held after `end`.',
    (a) => `R.ramp(t, ${a[0]}, ${a[1]}, ${a[2] ?? 'Infinity'})`,
  ),
  b(
    'STEP',
    'test-input',
    { units: CHECKER, polarity: 'opaque' },
    2,
    2,
    'STEP(height, start): 0 before `start`, `height` from `start` on.',
    (a) => `R.step(t, dt, ${a[0]}, ${a[1]})`,
  ),
  b(
    'VENSIM_PULSE',
    'test-input',
    { units: FREE, polarity: 'opaque' },
    2,
    2,
    "Vensim's PULSE(start, width), which the Vensim reader writes under this name: 1 from `start` for `width` (at least one DT), else 0; times compared at TIME + DT/2. XMILE's PULSE(magnitude, first[, interval]) is instead magnitude/DT for one DT.",
    (a) => `R.vpulse(t, dt, ${a[0]}, ${a[1]})`,
  ),
  b(
    'PULSE_TRAIN',
    'test-input',
    { units: FREE, polarity: 'opaque' },
    4,
    4,
    'PULSE_TRAIN(start, width, interval, end) (Vensim PULSE TRAIN): a PULSE(start, width) repeated every `interval` until `end`; 1 throughout when `interval` is below `width`.',
    (a) => `R.pulseTrain(t, dt, ${a[0]}, ${a[1]}, ${a[2]}, ${a[3]})`,
  ),
  b(
    'GET_TIME_VALUE',
    'test-input',
    { units: TIME_UNIT, polarity: 'opaque' },
    3,
    3,
    'GET_TIME_VALUE(relative to, offset, measure) (Vensim GET TIME VALUE) with measure 0 (model time): TIME + offset (relative to 0), or the initial time + offset (relative to 1). The calendar measures (1 to 10) need a base date the .mdl file does not hold, and the computer clock (relative to 2) would make runs irreproducible: the Vensim reader refuses both at the argument when they are numbers, and warns when they are computed (they then give NaN).',
    (a) =>
      `(${a[2]} === 0 && (${a[0]} === 0 || ${a[0]} === 1) ? (${a[0]} === 1 ? X.start : t) + ${a[1]} : NaN)`,
  ),
  // Statistical (3.5.2)
  b(
    'RANDOM',
    'random',
    { units: CHECKER, polarity: 'opaque' },
    2,
    3,
    'RANDOM(min, max[, seed]): uniform draw, one per DT.',
  ),
  b(
    'NORMAL',
    'random',
    { units: CHECKER, polarity: 'opaque' },
    2,
    3,
    'NORMAL(mean, sd[, seed]): normal draw, one per DT.',
  ),
  b(
    'LOGNORMAL',
    'random',
    { units: CHECKER, polarity: 'opaque' },
    2,
    3,
    'LOGNORMAL(mean, sd[, seed]): draw from the log-normal whose own mean and sd are given.',
  ),
  b(
    'EXPRND',
    'random',
    { units: CHECKER, polarity: 'opaque' },
    1,
    2,
    'EXPRND(mean[, seed]): exponential draw with the given mean.',
  ),
  b(
    'RANDOM_UNIFORM',
    'random',
    { units: arg(0), polarity: 'opaque' },
    3,
    3,
    'RANDOM_UNIFORM(min, max, seed) (Vensim RANDOM UNIFORM): uniform draw in [min, max), one per DT; a seed of 0 follows the run seed.',
  ),
  b(
    'RANDOM_NORMAL',
    'random',
    { units: arg(0), polarity: 'opaque' },
    5,
    5,
    'RANDOM_NORMAL(min, max, mean, sd, seed) (Vensim RANDOM NORMAL): normal draw with that mean and sd, clipped to [min, max], one per DT; a seed of 0 follows the run seed.',
  ),
  b(
    'POISSON',
    'random',
    { units: CHECKER, polarity: 'opaque' },
    1,
    2,
    'POISSON(mean[, seed]): Poisson draw (count) with the given mean, one per DT.',
  ),
  // Delays and smooths (3.5.3): expanded into internal stocks by the compiler.
  b(
    'DELAY',
    'stateful',
    { units: CHECKER, polarity: 'follows-input' },
    2,
    3,
    'DELAY(input, delay[, init]): pipeline (fixed) delay: the input of `delay` time units ago; `init` (default: the input at the start) before then.',
  ),
  b(
    'DELAY1',
    'stateful',
    { units: CHECKER, polarity: 'follows-input' },
    2,
    3,
    'DELAY1(input, delay[, init]): first-order material delay: one internal stock drained at stock/delay.',
  ),
  b(
    'DELAY3',
    'stateful',
    { units: CHECKER, polarity: 'follows-input' },
    2,
    3,
    'DELAY3(input, delay[, init]): third-order material delay: three stocks in series, each delay/3.',
  ),
  b(
    'DELAYN',
    'stateful',
    { units: CHECKER, polarity: 'follows-input' },
    3,
    4,
    'DELAYN(input, delay, n[, init]): n-th order material delay (n a constant integer).',
  ),
  b(
    'SMTH1',
    'stateful',
    { units: CHECKER, polarity: 'follows-input' },
    2,
    3,
    'SMTH1(input, time[, init]): first-order exponential smooth: S += (input - S)/time.',
  ),
  b(
    'SMTH3',
    'stateful',
    { units: CHECKER, polarity: 'follows-input' },
    2,
    3,
    'SMTH3(input, time[, init]): three first-order smooths in series, each time/3.',
  ),
  b(
    'SMTHN',
    'stateful',
    { units: CHECKER, polarity: 'follows-input' },
    3,
    4,
    'SMTHN(input, time, n[, init]): n first-order smooths in series, each time/n.',
  ),
  b(
    'TREND',
    'stateful',
    { units: CHECKER, polarity: 'opaque' },
    2,
    3,
    'TREND(input, time[, init]): fractional change per time unit: (input - A)/(A x time), where A is a first-order smooth of input initialised at input/(1 + init x time); init defaults to 0.',
  ),
  b(
    'FORCST',
    'stateful',
    { units: CHECKER, polarity: 'opaque' },
    3,
    4,
    'FORCST(input, time, horizon[, init]): input x (1 + TREND(input, time, init) x horizon).',
  ),
  b(
    'DELAY_N',
    'stateful',
    { units: arg(0), polarity: 'follows-input' },
    4,
    4,
    "DELAY_N(input, delay, init, n) (Vensim DELAY N): DELAYN with Vensim's argument order, the order last; n is read once and truncated.",
  ),
  b(
    'SMOOTH_N',
    'stateful',
    { units: arg(0), polarity: 'follows-input' },
    4,
    4,
    "SMOOTH_N(input, time, init, n) (Vensim SMOOTH N): SMTHN with Vensim's argument order, the order last.",
  ),
  b(
    'DELAY_FIXED',
    'stateful',
    { units: arg(0), polarity: 'follows-input' },
    3,
    3,
    'DELAY_FIXED(input, delay, init) (Vensim DELAY FIXED): the input of n steps ago, n = ROUND(delay/DT) taken once at the start (at least 1); `init` for the first n steps. Unlike DELAY, a later change of `delay` is ignored.',
  ),
  b(
    'NPV',
    'stateful',
    { units: arg(0), polarity: 'opaque' },
    4,
    4,
    'NPV(stream, rate, init, factor) (Vensim NPV): net present value of the stream discounted at `rate` per time unit: a discount factor df starting at 1 with d(df)/dt = -df x rate/(1 + rate x DT) (so it falls by 1/(1 + rate x DT) each step), an accumulation starting at `init` with d/dt = stream x df, and the result (accumulation + stream x DT x df) x factor, which counts the current step too.',
  ),
  b(
    'SAMPLE_IF_TRUE',
    'stateful',
    { units: arg(0), polarity: 'opaque' },
    3,
    3,
    'SAMPLE_IF_TRUE(condition, input, init) (Vensim SAMPLE IF TRUE): the input while the condition is not 0, else the value last sampled (init before the first sample); the condition is tested at the start too.',
  ),
  b(
    'ACTIVE_INITIAL',
    'stateful',
    { units: arg(0), polarity: 'opaque' },
    2,
    2,
    'ACTIVE_INITIAL(active, initial) (Vensim ACTIVE INITIAL): `initial` while the initial values are computed (so a stock can start from it, and initial-value loops are broken), `active` from the first reported time on',
  ),
  b(
    'INIT',
    'stateful',
    { units: arg(0), polarity: 'opaque' },
    1,
    1,
    'INIT(x): the value x had at the start of the simulation.',
  ),
  b(
    'PREVIOUS',
    'stateful',
    { units: CHECKER, polarity: 'opaque' },
    1,
    2,
    'PREVIOUS(x[, init]): the value of x one DT ago; `init` (default: x at the start) in the first DT.',
  ),
  b(
    'SELF',
    'constant',
    { units: CHECKER, polarity: 'opaque' },
    0,
    0,
    'The variable being defined (only inside PREVIOUS and SIZE).',
  ),
  // Arrays (3.7.1)
  b(
    'SUM',
    'array',
    { units: arg(0), polarity: 'opaque' },
    1,
    1,
    'SUM(a): the sum of the elements of an array (or slice).',
  ),
  b(
    'MEAN',
    'array',
    { units: CHECKER, polarity: 'opaque' },
    1,
    INF_ARGS,
    'MEAN(a): the mean of the elements; MEAN(x, y, ...): the mean of the arguments.',
  ),
  b('SIZE', 'array', { units: FREE, polarity: 'opaque' }, 1, 1, 'SIZE(a): the number of elements.'),
  b(
    'STDDEV',
    'array',
    { units: arg(0), polarity: 'opaque' },
    1,
    1,
    'STDDEV(a): the population standard deviation of the elements.',
  ),
  b('PROD', 'array', { units: CHECKER, polarity: 'opaque' }, 1, 1, 'PROD(a): the product of the elements.'),
  b(
    'RANK',
    'array',
    { units: FREE, polarity: 'opaque' },
    2,
    3,
    'RANK(a, n[, b]): the 1-based position of the n-th smallest element of a; ties are broken by the elements of b, then by position.',
  ),
  b(
    'TRANSPOSE',
    'array',
    { units: arg(0), polarity: 'opaque' },
    1,
    1,
    "A' (written TRANSPOSE(A) here): A with its dimensions in reverse order (XMILE 3.7.1.1); `A[DimM, @1, @2]` selects dimensions by the position they have in the variable being defined.",
  ),
  b(
    'VECTOR_SORT_ORDER',
    'array',
    { units: FREE, polarity: 'opaque' },
    3,
    3,
    'VECTOR_SORT_ORDER(a, direction, i) (Vensim VECTOR SORT ORDER, along the last subscript): the 0-based position in `a` of the element that comes i-th when `a` is sorted ascending (direction > 0) or descending; ties keep their order. The Vensim reader passes the position being defined as i.',
  ),
  b(
    'VECTOR_RANK',
    'array',
    { units: FREE, polarity: 'opaque' },
    3,
    3,
    'VECTOR_RANK(a, direction, i) (Vensim VECTOR RANK): the 1-based rank of element i of `a`, ascending (direction > 0) or descending. XMILE RANK(a, n) instead returns the position of the n-th smallest.',
  ),
  b(
    'VECTOR_REORDER',
    'array',
    { units: arg(0), polarity: 'opaque' },
    2,
    2,
    'VECTOR_REORDER(a, k) (Vensim VECTOR REORDER): element k (0-based) of `a`; with k from VECTOR SORT ORDER this is `a` sorted.',
  ),
  b(
    'VECTOR_ELM_MAP',
    'array',
    { units: arg(0), polarity: 'opaque' },
    3,
    3,
    "VECTOR_ELM_MAP(a, start, offset) (Vensim VECTOR ELM MAP(a[e], offset), along the last subscript; the reader passes e's 1-based position as start): the element `offset` places after position `start`, offset rounded to a whole number; NaN outside the array, where Vensim gives :NA:.",
  ),
  b(
    'INVERT_MATRIX',
    'array',
    { units: UNCHECKED, polarity: 'opaque' },
    4,
    4,
    'INVERT_MATRIX(m, n, i, j) (Vensim INVERT MATRIX, over the last two subscripts): element (i, j), 1-based, of the inverse of the n x n matrix m (Gauss-Jordan with partial pivoting; NaN when m is singular). The Vensim reader passes the row and column being defined as i and j.',
  ),
  b(
    'VECTOR_SELECT',
    'array',
    { units: arg(0), polarity: 'opaque' },
    5,
    5,
    'VECTOR_SELECT(selection, a, missing, action, error) (Vensim VECTOR SELECT, over the `!` subscripts): over the elements whose selection is not 0, action 0 sums selection x a, 1 multiplies them, 2 and 3 take their min and max, 4 their mean, 5 the product of a^selection, 6 to 10 the sum, product, min, max and mean of a itself; `missing` when nothing is selected. `error` (a check in Vensim) is not used.',
  ),
  b(
    'ALLOCATE_AVAILABLE',
    'array',
    { units: arg(0), polarity: 'opaque' },
    5,
    5,
    "ALLOCATE_AVAILABLE(request, profile, available, i, k) (Vensim ALLOCATE AVAILABLE(request, pp, available), requesters along the request's last subscript; the Vensim reader passes the requester being defined as i and the position of the profile's first element, ptype, as k): requester i receives request x share(x) at the one x where the shares add up to `available` (bisection), share being 1 - CDF of its priority profile (ptype 1 rectangular over priority +- width/2, 2 triangular of base width, 3 normal with sd width, 4 two-sided exponential with scale width) or 1 at every x (ptype 0, fixed quantity: the whole request, the others sharing what is left; when the fixed requests alone exceed `available` they share it in proportion and the others get 0, a case Vensim's manual leaves open); all requests in full when there is enough. The constant-elasticity profile (5) and integer allocation (ptype + 10) are not modelled: the Vensim reader refuses them at the call when the profile types are numbers in the model and warns when they are computed (such a type gives NaN, as does a curved profile's width not above 0).",
  ),
  b(
    'ALLOCATE_BY_PRIORITY',
    'array',
    { units: arg(0), polarity: 'opaque' },
    5,
    5,
    'ALLOCATE_BY_PRIORITY(request, priority, width, supply, i) (Vensim ALLOCATE BY PRIORITY(request, priority, size, width, supply), along the last subscript; the reader drops `size` and passes the requester being defined as i): all requests when supply covers them, else served from the highest priority down, the next requester starting once the one before holds min(1, priority gap / width) of its request, those served sharing further supply in proportion to their requests.',
  ),
  // Lookups
  b(
    'LOOKUP',
    'lookup',
    { units: CHECKER, polarity: 'opaque' },
    2,
    2,
    'LOOKUP(gf, x): the graphical function `gf` at x (same as gf(x)).',
  ),
  b(
    'LOOKUP_EXTRAPOLATE',
    'lookup',
    { units: arg(0), polarity: 'opaque' },
    2,
    2,
    'LOOKUP_EXTRAPOLATE(gf, x) (Vensim LOOKUP EXTRAPOLATE): like LOOKUP, but beyond its end points the first and last segments continue in a straight line.',
  ),
  b(
    'LOOKUP_FORWARD',
    'lookup',
    { units: arg(0), polarity: 'opaque' },
    2,
    2,
    'LOOKUP_FORWARD(gf, x) (Vensim LOOKUP FORWARD): the y of the first point at or after x (no interpolation).',
  ),
  b(
    'LOOKUP_BACKWARD',
    'lookup',
    { units: arg(0), polarity: 'opaque' },
    2,
    2,
    'LOOKUP_BACKWARD(gf, x) (Vensim LOOKUP BACKWARD): the y of the last point at or before x (a `discrete` table).',
  ),
] as const;

/** The name of every builtin: a record keyed by it must have an entry for each. */
export type BuiltinName = (typeof CATALOGUE)[number]['name'];
/** The builtins of one kind. */
export type BuiltinOfKind<K extends BuiltinKind> = Extract<(typeof CATALOGUE)[number], { kind: K }>['name'];

/** The builtins whose units the checker finds with a rule of its own (it must handle each). */
export type CheckerUnitsName = Extract<(typeof CATALOGUE)[number], { units: { k: 'checker' } }>['name'];

export const BUILTINS: readonly Builtin<BuiltinName>[] = CATALOGUE;

/** Other spellings of the same functions (canonical key -> catalogue name). */
export const BUILTIN_ALIASES: Readonly<Record<string, BuiltinName>> = {
  arccosine: 'ARCCOS',
  smooth: 'SMTH1',
  smooth3: 'SMTH3',
  smoothn: 'SMTHN',
  forecast: 'FORCST',
  lookup_table: 'LOOKUP',
};

const BY_KEY = new Map<string, Builtin<BuiltinName>>();
for (const f of BUILTINS) BY_KEY.set(f.name.toLowerCase(), f);
for (const [alias, name] of Object.entries(BUILTIN_ALIASES))
  BY_KEY.set(alias, BY_KEY.get(name.toLowerCase())!);

/** Find a builtin by canonical name (namespace prefixes `std.` and `isee.` are ignored). */
export function findBuiltin(key: string): Builtin<BuiltinName> | undefined {
  const k = key.replace(/^(std|isee|vensim)\./, '');
  return BY_KEY.get(k);
}
