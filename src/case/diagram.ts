/**
 * The case model's diagram for the self-contained report: the same sectors and ELK layout as the
 * workbench's Model page (src/diagram/), computed in Node.
 */
import { layoutDiagram, type DiagramLayout } from '../diagram/layout.js';
import type { CompiledModel } from '../engine.js';
import type { CaseDefinition } from './definition.js';
import { assignSectors } from './sectors.js';

export function caseDiagramLayout(
  compiled: CompiledModel,
  definition: CaseDefinition,
): Promise<DiagramLayout> {
  const { nodes, edges } = compiled.graph;
  const sectors = definition.sectors?.length
    ? assignSectors(
        nodes.map((n) => n.name),
        edges,
        definition.sectors,
      )
    : undefined;
  return layoutDiagram({ nodes, edges, sectors, targetWidth: 1400 });
}
