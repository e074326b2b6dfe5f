import { describe, expect, it } from 'vitest';
import {
  formatChange,
  formatNumber,
  formatPeople,
  formatPValue,
  formatShare,
  formatTick,
  formatTime,
  formatValue,
  modelDate,
  timeAxisLabel,
} from './number.js';
import { renderTextTable, wrapText } from './table.js';

describe('formatNumber', () => {
  it('groups thousands, keeps three significant digits and never prints an exponent for usual sizes', () => {
    expect(formatNumber(7221.618)).toBe('7,222');
    expect(formatNumber(-12345.6)).toBe('-12,346');
    expect(formatNumber(3.14159)).toBe('3.14');
    expect(formatNumber(0.0123456)).toBe('0.0123');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(2.54e-4)).toBe('< 0.001');
    expect(formatNumber(-3e-14)).toBe('> -0.001');
    expect(formatNumber(NaN)).toBe('–');
    expect(formatNumber(undefined)).toBe('–');
    expect(formatNumber(Infinity)).toBe('∞');
  });
});

describe('formatPeople', () => {
  it('gives whole numbers with separators and "< 1" for a fraction of a person', () => {
    expect(formatPeople(3.01e-14)).toBe('< 1');
    expect(formatPeople(0.6)).toBe('< 1');
    expect(formatPeople(0)).toBe('0');
    expect(formatPeople(11999.5)).toBe('12,000');
    expect(formatPeople(1.4)).toBe('1');
    expect(formatValue(0.4, 'troops')).toBe('< 1');
    expect(formatValue(0.4, 'packages')).toBe('0.4');
  });
});

describe('formatShare and formatPValue', () => {
  it('prints per cent and keeps the ends from rounding to 0% or 100%', () => {
    expect(formatShare(0.275)).toBe('28%');
    expect(formatShare(0.0275, 1)).toBe('2.8%');
    expect(formatShare(0.001)).toBe('< 1%');
    expect(formatShare(0.999)).toBe('> 99%');
    expect(formatShare(0)).toBe('0%');
    expect(formatShare(1)).toBe('100%');
  });
  it('never prints a p-value as 1.14e-117', () => {
    expect(formatPValue(1.14e-117)).toBe('< 0.001');
    expect(formatPValue(0.0042)).toBe('0.004');
    expect(formatPValue(0.049)).toBe('0.05');
    expect(formatPValue(0.5)).toBe('0.50');
  });
  it('gives relative change with a sign', () => {
    expect(formatChange(2.54e-4, 1000)).toBe('-100%');
    expect(formatChange(110, 100)).toBe('+10%');
    expect(formatChange(100.5, 100)).toBe('+0.5%');
    expect(formatChange(100, 100)).toBe('0%');
    expect(formatChange(5, 0)).toBe('–');
  });
  it('writes short axis ticks', () => {
    expect(formatTick(12000)).toBe('12k');
    expect(formatTick(1_500_000)).toBe('1.5M');
    expect(formatTick(250)).toBe('250');
    expect(formatTick(0.25)).toBe('0.25');
    expect(formatTick(0.0042)).toBe('0.0042');
  });
});

describe('formatTime', () => {
  const clock = { startDate: '2024-10-01', startTime: 0, timeUnits: 'months' };
  it('turns model months into calendar months from the start date', () => {
    expect(formatTime(0, clock)).toBe('Oct 2024');
    expect(formatTime(3, clock)).toBe('Jan 2025');
    expect(formatTime(12, clock)).toBe('Oct 2025');
    expect(formatTime(24, clock)).toBe('Oct 2026');
    expect(modelDate(0.5, clock)!.toISOString().slice(0, 10)).toBe('2024-10-16');
    expect(timeAxisLabel(clock)).toBe('date');
  });
  it('counts days from the start date and falls back to the unit or the number', () => {
    expect(formatTime(31, { startDate: '2024-01-01', timeUnits: 'days' })).toBe('1 Feb 2024');
    expect(formatTime(2002, { startDate: '2020-01-01', startTime: 2000, timeUnits: 'years' })).toBe(
      'Jan 2022',
    );
    expect(formatTime(12, { timeUnits: 'Months' })).toBe('month 12');
    expect(formatTime(12.5)).toBe('12.5');
    expect(timeAxisLabel({ timeUnits: 'weeks' })).toBe('weeks');
  });
});

describe('renderTextTable', () => {
  it('keeps every line within the width and names the columns it left out', () => {
    const header = ['policy', ...Array.from({ length: 12 }, (_, i) => `outcome_number_${i}`)];
    const rows = [
      ['escalation management (lagged, proportional)', ...header.slice(1).map((_, i) => String(i * 1000))],
      ['deterrence', ...header.slice(1).map(() => '1')],
    ];
    const text = renderTextTable(header, rows);
    const lines = text.trimEnd().split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(100);
    expect(text).toContain('left out to fit 100 columns');
    expect(text).toContain('outcome_number_11');
    // the long name wraps instead of widening the table
    expect(lines.some((l) => l.startsWith('escalation management'))).toBe(true);
    expect(lines.some((l) => l.trimStart().startsWith('proportional)'))).toBe(true);
    const wide = renderTextTable(header, rows, { width: Infinity });
    expect(wide).not.toContain('left out');
    expect(wide.split('\n')[0]).toContain('outcome_number_11');
  });
  it('aligns numbers right and names left', () => {
    expect(
      renderTextTable(
        ['name', 'value'],
        [
          ['a', '1'],
          ['bbb', '1,000'],
        ],
      ),
    ).toBe('name  value\n----  -----\na         1\nbbb   1,000\n');
  });
  it('wraps at spaces and cuts words longer than the width', () => {
    expect(wrapText('one two three', 7)).toEqual(['one two', 'three']);
    expect(wrapText('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrapText('mobilisation_pressure_peak', 14)).toEqual(['mobilisation_', 'pressure_peak']);
    expect(wrapText('escalation-management', 12)).toEqual(['escalation-', 'management']);
  });
});
