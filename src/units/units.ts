/**
 * Units of measure as values: a scale factor times a product of primary units raised to powers
 * (XMILE 3.3.6). Two units are the same when they reduce to the same primary units with the same
 * powers and the same scale. Primary units are identified by a canonical key; the display name
 * is kept separately so that messages use the spelling the model uses.
 */

export interface Unit {
  /** Numeric factor from unit definitions such as `thousand_people = 1000 * people`. */
  scale: number;
  /** Primary unit key -> exponent; zero exponents are never stored. */
  powers: ReadonlyMap<string, number>;
}

const EPS = 1e-9;

export const DIMENSIONLESS: Unit = { scale: 1, powers: new Map() };

export function primary(key: string): Unit {
  return { scale: 1, powers: new Map([[key, 1]]) };
}

function clean(x: number): number {
  // Exponents are integers in unit expressions but SQRT and x^0.5 can make halves; snap float
  // noise so that (m^0.5)^2 compares equal to m.
  const r = Math.round(x);
  return Math.abs(x - r) < EPS ? r : x;
}

export function multiply(a: Unit, b: Unit): Unit {
  const powers = new Map(a.powers);
  for (const [k, p] of b.powers) {
    const q = clean((powers.get(k) ?? 0) + p);
    if (q === 0) powers.delete(k);
    else powers.set(k, q);
  }
  return { scale: a.scale * b.scale, powers };
}

export function power(a: Unit, n: number): Unit {
  if (n === 0) return DIMENSIONLESS;
  const powers = new Map<string, number>();
  for (const [k, p] of a.powers) powers.set(k, clean(p * n));
  return { scale: Math.pow(a.scale, n), powers };
}

export function divide(a: Unit, b: Unit): Unit {
  return multiply(a, power(b, -1));
}

export function isDimensionless(a: Unit): boolean {
  return a.powers.size === 0 && Math.abs(a.scale - 1) < EPS;
}

export function sameUnit(a: Unit, b: Unit): boolean {
  if (a.powers.size !== b.powers.size) return false;
  for (const [k, p] of a.powers) {
    const q = b.powers.get(k);
    if (q === undefined || Math.abs(p - q) > EPS) return false;
  }
  return Math.abs(a.scale - b.scale) <= EPS * Math.max(1, Math.abs(a.scale), Math.abs(b.scale));
}

function exponentText(p: number): string {
  return Number.isInteger(p) ? String(p) : String(Number(p.toFixed(6)));
}

/**
 * A readable unit expression, e.g. `people/month`, `credit/(month*people)`, `1/month`, `dmnl`.
 * `display` maps primary keys to the names shown (defaults to the key).
 */
export function formatUnit(u: Unit, display: (key: string) => string = (k) => k): string {
  const keys = [...u.powers.keys()].sort();
  const term = (k: string, p: number) => (p === 1 ? display(k) : `${display(k)}^${exponentText(p)}`);
  const num = keys.filter((k) => u.powers.get(k)! > 0).map((k) => term(k, u.powers.get(k)!));
  const den = keys.filter((k) => u.powers.get(k)! < 0).map((k) => term(k, -u.powers.get(k)!));
  const scale = Math.abs(u.scale - 1) < EPS ? '' : String(Number(u.scale.toPrecision(12)));
  let top = num.join('*');
  if (scale) top = top ? `${scale}*${top}` : scale;
  if (!top) top = den.length ? '1' : 'dmnl';
  if (den.length === 0) return top;
  const bottom = den.length === 1 ? den[0]! : `(${den.join('*')})`;
  return `${top}/${bottom}`;
}
