/**
 * The landing page: the answer first. A case folder gets its questions with the numbers of one
 * run per policy (the central assumptions), each linked to the pages and claims behind it; the
 * ensemble answers with intervals come from src/case/answers.ts (printed by `npm start`). A plain
 * model gets a summary of its behaviour (src/case/answers.ts behaviourSummary).
 */
import { h, notice } from '../dom.js';
import { claimLinks } from '../claims.js';
import type { Workspace } from '../workspace.js';
import { behaviourSummary, CASE_QUESTIONS } from '../../case/answers.js';
import { compareScenarios } from '../../case/compare.js';
import { parseCaseDefinition, parseScenarios } from '../../case/definition.js';
import { formatTime, formatValue, type ModelClock } from '../../format/number.js';

function modelRoute(page: string): string {
  const model = /[?&]model=([a-z0-9-]+)/.exec(location.hash)?.[1] ?? 'default';
  return `#/${page}?model=${model}`;
}

function plainSummary(ws: Workspace, root: HTMLElement, clock: ModelClock): void {
  const { compiled } = ws;
  const results = compiled.run();
  const stocks = compiled.outputs.filter((o) => o.kind === 'stock').slice(0, 12);
  const shown = stocks.length ? stocks : compiled.outputs.slice(0, 8);
  const summary = behaviourSummary(
    results.time,
    shown.map((o) => ({ name: o.name, units: o.units, values: results.column(o.name) ?? [] })),
    (t) => formatTime(t, clock),
  );
  root.append(
    h(
      'section',
      { class: 'panel answer' },
      h('h3', {}, 'What this model does'),
      h(
        'p',
        {},
        `One run at the file's values, from ${formatTime(compiled.simSpecs.start, clock)} to ${formatTime(compiled.simSpecs.stop, clock)}:`,
      ),
      h('ul', {}, ...summary.map((s) => h('li', {}, s.sentence))),
      h(
        'p',
        {},
        h('a', { href: modelRoute('simulate') }, 'Simulate it'),
        ' or ',
        h('a', { href: modelRoute('model') }, 'read its diagram'),
        '.',
      ),
    ),
  );
}

export function renderAnswers(ws: Workspace, root: HTMLElement): void {
  const raw = ws.caseData;
  const rawDefinition = raw?.definition;
  root.append(h('h2', {}, 'Answers'));
  let definition: ReturnType<typeof parseCaseDefinition> | undefined;
  let scenarios: ReturnType<typeof parseScenarios> | undefined;
  try {
    definition = rawDefinition ? parseCaseDefinition(rawDefinition as never, 'case.json') : undefined;
    scenarios = raw?.scenarios ? parseScenarios(raw.scenarios as never, 'scenarios.json') : undefined;
  } catch (err) {
    root.append(notice(`The case files could not be read: ${(err as Error).message}`, 'error'));
  }
  const clock: ModelClock = {
    startDate: definition?.startDate,
    startTime: ws.compiled.simSpecs.start,
    timeUnits: ws.compiled.simSpecs.timeUnits,
  };
  if (!definition || !scenarios?.length) {
    plainSummary(ws, root, clock);
    return;
  }
  root.append(h('p', { class: 'lead' }, definition.question));
  const runs = compareScenarios(ws.compiled, definition, scenarios);
  const outcomes = definition.outcomes.slice(0, 4);
  const baseline = runs.find((r) => r.name === definition.baseline) ?? runs[0]!;
  const table = h(
    'table',
    { class: 'answers-table' },
    h('caption', {}, 'One run per policy at the central assumptions'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'policy'),
        ...outcomes.map((o) => h('th', { scope: 'col' }, o.label)),
      ),
    ),
    h(
      'tbody',
      {},
      ...runs.map((r) =>
        h(
          'tr',
          { class: r === baseline ? 'baseline' : undefined },
          h('th', { scope: 'row' }, r.name),
          ...outcomes.map((o) => h('td', { class: 'num' }, formatValue(r.outcomes[o.name]!, o.units))),
        ),
      ),
    ),
  );
  for (const [id, q] of Object.entries(CASE_QUESTIONS)) {
    root.append(
      h(
        'section',
        { class: 'panel answer', id: `answer-${id.toLowerCase()}` },
        h('h3', {}, `${id}. ${q.question}`),
        h('p', { class: 'small muted' }, 'Claims tested: ', ...claimLinks(q.claims)),
        id === 'Q1' ? table : null,
        h(
          'p',
          {},
          id === 'Q4'
            ? 'Not answered yet: it needs the model calibrated to the reported figures as of each date. '
            : 'The share of plausible futures, with its interval, comes from the ensemble over the uncertain parameters (printed first by npm start). ',
          h(
            'a',
            { href: modelRoute(id === 'Q4' ? 'evidence' : id === 'Q1' ? 'compare' : 'explore') },
            id === 'Q4'
              ? 'The estimates over time'
              : id === 'Q1'
                ? 'Compare the policies'
                : 'Explore the ensemble',
          ),
          '.',
        ),
      ),
    );
  }
}
