/**
 * The one number formatter for what people read: the CLI's tables, the reports and the pages.
 * Machine output (CSV, JSON, XMILE) keeps round-trip text and does not come here.
 * Pure: no Node, no DOM, so the browser bundle, the workers and the CLI share it.
 *
 * Rules (docs/architecture.md, "Words and numbers"):
 * - a plain quantity: thousands grouped from 1,000 up, three significant digits below that,
 *   "< 0.001" (or "> -0.001") for tiny non-zero values instead of an exponent;
 * - people and other counts: whole numbers with separators, "< 1" for a fraction of one;
 * - shares: per cent, "< 1%" and "> 99%" at the ends rather than a rounded 0% or 100%;
 * - p-values: "< 0.001" below a thousandth;
 * - model time: a calendar month ("Mar 2025") when the model has a start date and counts months,
 *   otherwise "month 12" or the bare number.
 */

const GROUP = 'en-US';
const DASH = '–';

/** Whole number with thousands separators. */
function grouped(x: number): string {
  return Math.round(x).toLocaleString(GROUP);
}

/** Three significant digits without an exponent, trailing zeros trimmed. */
function significant(x: number, digits = 3): string {
  return String(Number(x.toPrecision(digits)));
}

/** A plain quantity (a stock, a rate, a parameter value). */
export function formatNumber(x: number | null | undefined): string {
  if (x === null || x === undefined || Number.isNaN(x)) return DASH;
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e15) return x.toExponential(2);
  if (a >= 1000) return grouped(x);
  if (a < 0.001) return x > 0 ? '< 0.001' : '> -0.001';
  return significant(x);
}

/** People (troops, casualties) and other counts: whole numbers; "< 1" for a fraction of one. */
export function formatPeople(x: number | null | undefined): string {
  if (x === null || x === undefined || Number.isNaN(x)) return DASH;
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  if (x === 0) return '0';
  if (Math.abs(x) < 1) return x > 0 ? '< 1' : '> -1';
  if (Math.abs(x) >= 1e15) return x.toExponential(2);
  return grouped(x);
}

/** A share in [0, 1] as a percentage; `digits` decimals (0 by default). */
export function formatShare(x: number | null | undefined, digits = 0): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return DASH;
  const p = x * 100;
  const step = 10 ** -digits;
  if (p > 0 && p < step) return `< ${step.toFixed(digits)}%`;
  if (p < 100 && p > 100 - step) return `> ${(100 - step).toFixed(digits)}%`;
  return `${p.toFixed(digits)}%`;
}

/** An interval of shares, "12%-30%". */
export function formatShareInterval(lo: number, hi: number, digits = 0): string {
  return `${formatShare(lo, digits)}-${formatShare(hi, digits)}`;
}

/** A p-value: "< 0.001" below a thousandth, three decimals below 0.01, two above. */
export function formatPValue(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return DASH;
  if (p < 0.001) return '< 0.001';
  if (p < 0.01) return p.toFixed(3);
  return p.toFixed(2);
}

/** Change of `value` against `base` in per cent, "+12%", "-100%", "0%"; dash without a base. */
export function formatChange(value: number, base: number): string {
  if (!Number.isFinite(value) || !Number.isFinite(base)) return DASH;
  if (base === 0) return value === 0 ? '0%' : DASH;
  const c = ((value - base) / Math.abs(base)) * 100;
  const r = Math.abs(c) >= 10 ? Math.round(c) : Number(c.toFixed(1));
  if (r === 0) return c === 0 ? '0%' : c > 0 ? '+< 0.1%' : '-< 0.1%';
  return `${r > 0 ? '+' : ''}${r}%`;
}

/** Short axis tick text: 12k, 1.5M, grouped hundreds, two decimals below that. */
export function formatTick(v: number): string {
  if (!Number.isFinite(v)) return '';
  const a = Math.abs(v);
  if (a >= 1e9) return `${+(v / 1e9).toFixed(2)}B`;
  if (a >= 1e6) return `${+(v / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toFixed(1)}k`;
  if (a >= 100) return grouped(v);
  if (a === 0) return '0';
  if (a < 0.01) return significant(v, 2);
  return String(+v.toFixed(2));
}

/** Whether a unit name counts people (troops, soldiers, casualties): those get whole numbers. */
export function isPeopleUnit(units: string | undefined): boolean {
  return !!units && /^(people|persons?|troops?|soldiers?|men|casualties|personnel)$/i.test(units.trim());
}

/** A value in its units: people as whole numbers, everything else as a plain quantity. */
export function formatValue(x: number, units?: string): string {
  return isPeopleUnit(units) ? formatPeople(x) : formatNumber(x);
}

/** How model time maps onto the calendar: the date of the start time, and the time unit. */
export interface ModelClock {
  /** YYYY-MM-DD of model time `startTime`. */
  startDate?: string;
  /** Model time at the start date (the model's start time; 0 when absent). */
  startTime?: number;
  /** The model's time unit ("months", "month", "days", "years", ...). */
  timeUnits?: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

type Unit = 'day' | 'week' | 'month' | 'year';

function unitOf(timeUnits: string | undefined): Unit | undefined {
  const u = (timeUnits ?? '').trim().toLowerCase().replace(/s$/, '');
  if (u === 'day' || u === 'week' || u === 'month' || u === 'year') return u;
  if (u === 'mo') return 'month';
  return undefined;
}

/** The calendar date (UTC) of model time `t`, or undefined when the clock has no date. */
export function modelDate(t: number, clock: ModelClock): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(clock.startDate ?? '');
  const unit = unitOf(clock.timeUnits);
  if (!m || !unit || !Number.isFinite(t)) return undefined;
  const dt = t - (clock.startTime ?? 0);
  const [y, mo, d] = [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
  if (unit === 'month' || unit === 'year') {
    const months = unit === 'year' ? dt * 12 : dt;
    const whole = Math.floor(months);
    const base = new Date(Date.UTC(y, mo + whole, d));
    // the fraction of a month as days of that month
    const next = new Date(Date.UTC(y, mo + whole + 1, d));
    return new Date(base.getTime() + (months - whole) * (next.getTime() - base.getTime()));
  }
  const days = unit === 'week' ? dt * 7 : dt;
  return new Date(Date.UTC(y, mo, d) + days * 86_400_000);
}

/**
 * Model time for people: "Mar 2025" (months or years), "3 Mar 2025" (days, weeks) when the
 * model has a start date; "month 12" when it only has a unit; the number when it has neither.
 */
export function formatTime(t: number, clock: ModelClock = {}): string {
  const date = modelDate(t, clock);
  const unit = unitOf(clock.timeUnits);
  if (date) {
    const mon = `${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
    return unit === 'day' || unit === 'week' ? `${date.getUTCDate()} ${mon}` : mon;
  }
  if (unit) return `${unit} ${formatNumber(t)}`;
  return formatNumber(t);
}

/** The axis title for model time: "date" with a calendar, the unit otherwise. */
export function timeAxisLabel(clock: ModelClock = {}): string {
  if (modelDate(clock.startTime ?? 0, clock)) return 'date';
  return clock.timeUnits?.trim() || 'time';
}
