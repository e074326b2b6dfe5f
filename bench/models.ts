/**
 * Generated benchmark models: N chains, each a stock with a lookup-driven inflow, an outflow, a
 * first-order smooth and a third-order delay, and the total of the stocks (an N-term sum written
 * out in the scalar variant, SUM in the arrayed one). Months 0-100, dt 1/8. Scalar (N copies of
 * each variable) and arrayed (one variable over a dimension of N elements) variants.
 */

const SPECS = `<sim_specs method="Euler" time_units="months"><start>0</start><stop>100</stop><dt reciprocal="true">8</dt></sim_specs>`;
const GF = `<gf><xscale min="0" max="100"/><ypts>0,5,20,35,40,38,30,25,22,20,20</ypts></gf>`;

/** `total: false` leaves the total out (bench/vensim.ts compares the chains with a Vensim copy). */
export function scalarChains(n: number, { total = true } = {}): string {
  const vars: string[] = [];
  for (let i = 0; i < n; i++) {
    vars.push(
      `<flow name="inflow ${i}"><eqn>TIME + ${i % 7}</eqn>${GF}</flow>`,
      `<stock name="stock ${i}"><eqn>${10 + (i % 5)}</eqn><inflow>inflow_${i}</inflow><outflow>outflow_${i}</outflow></stock>`,
      `<flow name="outflow ${i}"><eqn>stock_${i} / 5</eqn></flow>`,
      `<aux name="smoothed ${i}"><eqn>SMTH1(outflow_${i}, 3)</eqn></aux>`,
      `<aux name="delayed ${i}"><eqn>DELAY3(outflow_${i}, 4)</eqn></aux>`,
    );
  }
  if (total)
    vars.push(
      `<aux name="total"><eqn>${Array.from({ length: n }, (_, i) => `stock_${i}`).join(' + ')}</eqn></aux>`,
    );
  return `<?xml version="1.0"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
<header><name>scalar chains ${n}</name></header>
${SPECS}
<model><variables>
${vars.join('\n')}
</variables></model>
</xmile>
`;
}

export function arrayedChains(n: number): string {
  const elems = Array.from({ length: n }, (_, i) => `<elem name="c${i}"/>`).join('');
  const dim = `<dimensions><dim name="chain"/></dimensions>`;
  return `<?xml version="1.0"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
<header><name>arrayed chains ${n}</name></header>
${SPECS}
<dimensions><dim name="chain">${elems}</dim></dimensions>
<model><variables>
<aux name="offset">${dim}<eqn>MOD(chain, 7)</eqn></aux>
<aux name="initial">${dim}<eqn>10 + MOD(chain, 5)</eqn></aux>
<flow name="inflow">${dim}<eqn>TIME + offset</eqn>${GF}</flow>
<stock name="stock">${dim}<eqn>initial</eqn><inflow>inflow</inflow><outflow>outflow</outflow></stock>
<flow name="outflow">${dim}<eqn>stock / 5</eqn></flow>
<aux name="smoothed">${dim}<eqn>SMTH1(outflow, 3)</eqn></aux>
<aux name="delayed">${dim}<eqn>DELAY3(outflow, 4)</eqn></aux>
<aux name="total"><eqn>SUM(stock[*])</eqn></aux>
</variables></model>
</xmile>
`;
}

/**
 * The same computation written by hand over typed arrays: the floor a generated program can
 * approach. Returns the final value of the first stock and the total (so the work cannot be
 * optimised away).
 */
export function handWrittenChains(n: number): number {
  const dt = 1 / 8;
  const steps = 800;
  const xs = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
  const ys = [0, 5, 20, 35, 40, 38, 30, 25, 22, 20, 20];
  const stock = new Float64Array(n);
  const smooth = new Float64Array(n);
  const d1 = new Float64Array(n);
  const d2 = new Float64Array(n);
  const d3 = new Float64Array(n);
  const inflow = new Float64Array(n);
  const outflow = new Float64Array(n);
  const delayed = new Float64Array(n);
  const lookup = (x: number): number => {
    if (x <= 0) return ys[0]!;
    if (x >= 100) return ys[10]!;
    const i = Math.floor(x / 10);
    return ys[i]! + ((ys[i + 1]! - ys[i]!) * (x - xs[i]!)) / 10;
  };
  for (let i = 0; i < n; i++) {
    stock[i] = 10 + (i % 5);
    const out = stock[i]! / 5;
    smooth[i] = out;
    d1[i] = d2[i] = d3[i] = (out * 4) / 3;
  }
  let total = 0;
  for (let k = 0; k <= steps; k++) {
    const t = k * dt;
    total = stock[0]!;
    for (let i = 1; i < n; i++) total += stock[i]!;
    for (let i = 0; i < n; i++) {
      inflow[i] = lookup(t + (i % 7));
      outflow[i] = stock[i]! / 5;
      delayed[i] = d3[i]! / (4 / 3);
    }
    if (k === steps) break;
    for (let i = 0; i < n; i++) {
      const o1 = d1[i]! / (4 / 3);
      const o2 = d2[i]! / (4 / 3);
      stock[i] = stock[i]! + dt * (inflow[i]! - outflow[i]!);
      smooth[i] = smooth[i]! + (dt * (outflow[i]! - smooth[i]!)) / 3;
      d1[i] = d1[i]! + dt * (outflow[i]! - o1);
      d2[i] = d2[i]! + dt * (o1 - o2);
      d3[i] = d3[i]! + dt * (o2 - delayed[i]!);
    }
  }
  return stock[0]! + delayed[0]! + total;
}
