/**
 * How each Vensim function is written for the engine: the name of its entry in the builtin
 * catalogue (src/equations/builtins.ts, where each one's semantics, and how it differs from
 * XMILE's function of the same purpose, is documented once) and the order of its arguments.
 * Functions the reader handles itself (INTEG, IF THEN ELSE, WITH LOOKUP, ELMCOUNT, the GET
 * functions, TABBED ARRAY) are not listed here.
 */

export interface VensimFunction {
  /** Catalogue name the call is written as (spaces as `_`). */
  builtin: string;
  /** Argument count Vensim requires (min, max). */
  min: number;
  max: number;
}

const f = (builtin: string, min: number, max = min): VensimFunction => ({ builtin, min, max });

/** Keyed by the Vensim name, upper case, single spaces. */
export const VENSIM_FUNCTIONS: Readonly<Record<string, VensimFunction>> = {
  ABS: f('ABS', 1),
  EXP: f('EXP', 1),
  LN: f('LN', 1),
  LOG: f('LOG', 2),
  SQRT: f('SQRT', 1),
  SIN: f('SIN', 1),
  COS: f('COS', 1),
  TAN: f('TAN', 1),
  ARCSIN: f('ARCSIN', 1),
  ARCCOS: f('ARCCOS', 1),
  ARCTAN: f('ARCTAN', 1),
  SINH: f('SINH', 1),
  COSH: f('COSH', 1),
  TANH: f('TANH', 1),
  POWER: f('POWER', 2),
  MIN: f('MIN', 2),
  MAX: f('MAX', 2),
  INTEGER: f('INTEGER', 1),
  MODULO: f('MODULO', 2),
  QUANTUM: f('QUANTUM', 2),
  ZIDZ: f('ZIDZ', 2),
  XIDZ: f('XIDZ', 3),
  STEP: f('STEP', 2),
  RAMP: f('RAMP', 3),
  PULSE: f('VENSIM_PULSE', 2),
  'PULSE TRAIN': f('PULSE_TRAIN', 4),
  DELAY1: f('DELAY1', 2),
  DELAY1I: f('DELAY1', 3),
  DELAY3: f('DELAY3', 2),
  DELAY3I: f('DELAY3', 3),
  'DELAY N': f('DELAY_N', 4),
  'DELAY FIXED': f('DELAY_FIXED', 3),
  SMOOTH: f('SMTH1', 2),
  SMOOTHI: f('SMTH1', 3),
  SMOOTH3: f('SMTH3', 2),
  SMOOTH3I: f('SMTH3', 3),
  'SMOOTH N': f('SMOOTH_N', 4),
  TREND: f('TREND', 3),
  FORECAST: f('FORCST', 3),
  INITIAL: f('INIT', 1),
  'ACTIVE INITIAL': f('ACTIVE_INITIAL', 2),
  'SAMPLE IF TRUE': f('SAMPLE_IF_TRUE', 3),
  GAME: f('GAME', 1),
  SUM: f('SUM', 1),
  PROD: f('PROD', 1),
  VMIN: f('MIN', 1),
  VMAX: f('MAX', 1),
  'LOOKUP EXTRAPOLATE': f('LOOKUP_EXTRAPOLATE', 2),
  'LOOKUP FORWARD': f('LOOKUP_FORWARD', 2),
  'LOOKUP BACKWARD': f('LOOKUP_BACKWARD', 2),
  'VECTOR SORT ORDER': f('VECTOR_SORT_ORDER', 2),
  'VECTOR RANK': f('VECTOR_RANK', 2),
  'VECTOR REORDER': f('VECTOR_REORDER', 2),
  'INVERT MATRIX': f('INVERT_MATRIX', 2),
  'VECTOR SELECT': f('VECTOR_SELECT', 5),
  'VECTOR ELM MAP': f('VECTOR_ELM_MAP', 2),
  'GET TIME VALUE': f('GET_TIME_VALUE', 3),
  'RANDOM UNIFORM': f('RANDOM_UNIFORM', 3),
  'RANDOM NORMAL': f('RANDOM_NORMAL', 5),
  NPV: f('NPV', 4),
  'ALLOCATE AVAILABLE': f('ALLOCATE_AVAILABLE', 3),
  'ALLOCATE BY PRIORITY': f('ALLOCATE_BY_PRIORITY', 5),
};

/** The Vensim spelling of a function name as a key of VENSIM_FUNCTIONS. */
export function functionKey(name: string): string {
  // Asked for every call and every INTEG test of every equation: the answers are kept (bounded).
  let key = functionKeys.get(name);
  if (key === undefined) {
    key = name
      .replace(/[\s_]+/g, ' ')
      .trim()
      .toUpperCase();
    if (functionKeys.size >= 5_000) functionKeys.clear();
    if (name.length <= 256) functionKeys.set(name, key);
  }
  return key;
}
const functionKeys = new Map<string, string>();
