import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src');

/** Every module reachable from `entry` through static and dynamic imports, with what it imports. */
function importGraph(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const queue = [entry];
  while (queue.length) {
    const file = queue.pop()!;
    if (graph.has(file)) continue;
    const text = readFileSync(file, 'utf8');
    const specs = [
      ...[...text.matchAll(/^\s*(?:import|export)\b[^;]*?from\s*'([^']+)'/gm)].map((m) => m[1]!),
      ...[...text.matchAll(/^\s*import\s*'([^']+)'/gm)].map((m) => m[1]!),
      ...[...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)].map((m) => m[1]!),
    ];
    graph.set(file, specs);
    for (const spec of specs) {
      if (spec.startsWith('.')) queue.push(join(dirname(file), spec.replace(/\.js$/, '.ts')));
    }
  }
  return graph;
}

describe('layering', () => {
  it('the engine reaches no Node module and no package, so it runs in workers and the browser', () => {
    const graph = importGraph(join(src, 'engine.ts'));
    const outside: string[] = [];
    for (const [file, specs] of graph) {
      for (const s of specs)
        if (!s.startsWith('.')) outside.push(`${file.slice(src.length + 1)} imports ${s}`);
    }
    expect(graph.size).toBeGreaterThan(10);
    expect(outside).toEqual([]);
  });

  it('the engine does not import the shells above it (cli, server, web, experiments, store)', () => {
    const graph = importGraph(join(src, 'engine.ts'));
    const upward = [...graph.keys()]
      .map((f) => f.slice(src.length + 1))
      .filter((f) => /^(cli|server|web|experiments|store|case)\//.test(f));
    expect(upward).toEqual([]);
  });
});
