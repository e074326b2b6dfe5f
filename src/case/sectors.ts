/**
 * Which sector of the system each variable belongs to, for the diagram: from the case's sector
 * definitions (case.json `sectors`), then, for the variables none of them names, from their
 * neighbours in the model's influence graph. Pure (runs in the browser).
 */
import { canonicalName } from '../equations/names.js';
import type { SectorDefinition } from './definition.js';

export const OTHER_SECTOR = 'Other';

/**
 * Sector by variable name (as given). A variable named in a sector's `variables` belongs there;
 * else the longest matching prefix decides; else, repeatedly, the sector most of its linked
 * variables are in (ties to the sector listed first); what is still unplaced is `Other`.
 */
export function assignSectors(
  names: readonly string[],
  edges: readonly { from: string; to: string }[],
  sectors: readonly SectorDefinition[],
): Map<string, string> {
  const out = new Map<string, string>();
  const explicit = new Map<string, string>();
  for (const s of sectors) for (const v of s.variables) explicit.set(canonicalName(v), s.name);
  const prefixes = sectors
    .flatMap((s) => s.prefixes.map((p) => ({ p: canonicalName(p), sector: s.name })))
    .sort((a, b) => b.p.length - a.p.length);
  for (const n of names) {
    const k = canonicalName(n);
    const sector = explicit.get(k) ?? prefixes.find((x) => k.startsWith(x.p))?.sector;
    if (sector) out.set(n, sector);
  }
  const neighbours = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const e of edges) {
    neighbours.get(e.from)?.push(e.to);
    neighbours.get(e.to)?.push(e.from);
  }
  const order = sectors.map((s) => s.name);
  for (let round = 0; round < names.length; round++) {
    let changed = false;
    for (const n of names) {
      if (out.has(n)) continue;
      const votes = new Map<string, number>();
      for (const m of neighbours.get(n) ?? []) {
        const s = out.get(m);
        if (s) votes.set(s, (votes.get(s) ?? 0) + 1);
      }
      if (!votes.size) continue;
      const best = [...votes].sort((a, b) => b[1] - a[1] || order.indexOf(a[0]) - order.indexOf(b[0]))[0]![0];
      out.set(n, best);
      changed = true;
    }
    if (!changed) break;
  }
  for (const n of names) if (!out.has(n)) out.set(n, OTHER_SECTOR);
  return out;
}
