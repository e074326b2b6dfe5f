/**
 * A graphical function's points, drawn and editable: drag a point up or down (its x stays), or
 * focus it and use the arrow keys (Shift for larger steps), or type the values in the table.
 * Every change calls `onChange` with the new y values; `final` is true when a drag or typing
 * ends (the caller seals the undo step then).
 */
import { h, s, fmt } from '../dom.js';

const W = 320;
const H = 180;
const M = { left: 44, right: 10, top: 10, bottom: 24 };

export function gfEditor(
  name: string,
  xpts: readonly number[],
  ypts: readonly number[],
  onChange: (ypts: number[], final: boolean) => void,
): HTMLElement {
  const ys = [...ypts];
  let lo = Math.min(...ys);
  let hi = Math.max(...ys);
  if (!(hi > lo)) {
    const pad = Math.abs(lo) * 0.5 || 1;
    lo -= pad;
    hi += pad;
  }
  // Room to drag beyond the current values.
  const span = hi - lo;
  lo -= span * 0.25;
  hi += span * 0.25;
  const x0 = xpts[0]!;
  const x1 = xpts[xpts.length - 1]!;
  const px = (x: number) => M.left + ((x - x0) / (x1 - x0 || 1)) * (W - M.left - M.right);
  const py = (y: number) => H - M.bottom - ((y - lo) / (hi - lo)) * (H - M.top - M.bottom);
  const yOf = (p: number) => lo + ((H - M.bottom - p) / (H - M.top - M.bottom)) * (hi - lo);
  const line = s('path', { class: 'gf-line', fill: 'none', stroke: '#2f6fb3', 'stroke-width': 2 });
  const dots: SVGCircleElement[] = [];
  const inputs: HTMLInputElement[] = [];
  const round = (v: number) => Number(v.toPrecision(4));
  const redraw = () => {
    line.setAttribute(
      'd',
      ys.map((y, i) => `${i ? 'L' : 'M'}${px(xpts[i]!).toFixed(1)},${py(y).toFixed(1)}`).join(''),
    );
    ys.forEach((y, i) => {
      dots[i]!.setAttribute('cy', py(y).toFixed(1));
      dots[i]!.setAttribute('aria-valuenow', String(y));
      dots[i]!.setAttribute('aria-valuetext', `x ${fmt(xpts[i]!)}, y ${fmt(y)}`);
      if (document.activeElement !== inputs[i]) inputs[i]!.value = String(y);
    });
  };
  const set = (i: number, y: number, final: boolean) => {
    ys[i] = round(y);
    redraw();
    onChange([...ys], final);
  };
  const svg = s(
    'svg',
    {
      viewBox: `0 0 ${W} ${H}`,
      class: 'gf-editor',
      role: 'group',
      'aria-label': `Graphical function of ${name}: drag or use arrow keys on a point`,
    },
    s('line', { x1: M.left, y1: H - M.bottom, x2: W - M.right, y2: H - M.bottom, stroke: '#8a96a3' }),
    s('line', { x1: M.left, y1: M.top, x2: M.left, y2: H - M.bottom, stroke: '#8a96a3' }),
    s('text', { x: M.left - 4, y: M.top + 8, 'text-anchor': 'end', 'font-size': 10 }, fmt(hi)),
    s('text', { x: M.left - 4, y: H - M.bottom, 'text-anchor': 'end', 'font-size': 10 }, fmt(lo)),
    s('text', { x: M.left, y: H - 8, 'font-size': 10 }, fmt(x0)),
    s('text', { x: W - M.right, y: H - 8, 'text-anchor': 'end', 'font-size': 10 }, fmt(x1)),
    line,
  );
  ys.forEach((_, i) => {
    const dot = s('circle', {
      class: 'gf-point',
      cx: px(xpts[i]!).toFixed(1),
      r: 6,
      tabindex: 0,
      role: 'slider',
      'aria-label': `point ${i + 1} of ${name}`,
      'aria-valuemin': String(round(lo)),
      'aria-valuemax': String(round(hi)),
      'data-index': i,
    });
    dot.addEventListener('pointerdown', (ev) => {
      ev.preventDefault();
      dot.setPointerCapture?.(ev.pointerId);
      const move = (e: PointerEvent) => {
        const r = svg.getBoundingClientRect();
        const p = ((e.clientY - r.top) / r.height) * H;
        set(i, Math.min(hi, Math.max(lo, yOf(p))), false);
      };
      const up = (e: PointerEvent) => {
        move(e);
        dot.removeEventListener('pointermove', move);
        dot.removeEventListener('pointerup', up);
        onChange([...ys], true);
      };
      dot.addEventListener('pointermove', move);
      dot.addEventListener('pointerup', up);
    });
    dot.addEventListener('keydown', (ev) => {
      const step = ((hi - lo) / 100) * (ev.shiftKey ? 10 : 1);
      if (ev.key === 'ArrowUp') set(i, ys[i]! + step, true);
      else if (ev.key === 'ArrowDown') set(i, ys[i]! - step, true);
      else return;
      ev.preventDefault();
    });
    dots.push(dot);
    svg.append(dot);
  });
  const table = h(
    'table',
    { class: 'gf-table' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'x'), h('th', { scope: 'col' }, 'y'))),
    h(
      'tbody',
      {},
      ...ys.map((y, i) => {
        const input = h('input', {
          type: 'number',
          step: 'any',
          value: String(y),
          'aria-label': `y at x = ${fmt(xpts[i]!)}`,
          'data-index': i,
        });
        input.addEventListener('input', () => {
          const v = Number(input.value);
          if (input.value.trim() && Number.isFinite(v)) set(i, v, false);
        });
        input.addEventListener('change', () => onChange([...ys], true));
        inputs.push(input);
        return h('tr', {}, h('td', { class: 'num' }, fmt(xpts[i]!)), h('td', {}, input));
      }),
    ),
  );
  redraw();
  return h('div', { class: 'gf-box' }, svg, h('details', {}, h('summary', {}, 'Points as numbers'), table));
}
