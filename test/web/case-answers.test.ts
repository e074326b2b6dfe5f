/**
 * The server's case endpoints: the four answers come from the one library function
 * (src/case/case-answers.ts, as npm start prints them), computed in a worker and kept; Q4's
 * forecasts are calibration/q4.json read through src/case, with the counts the scored rows give.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type RunningServer } from '../../src/server/app.js';
import { CASE_FORECASTS, loadCase, readCaseForecasts } from '../../src/case/load.js';
import { computeCaseAnswers } from '../../src/case/case-answers.js';
import type { HeadlineOptions } from '../../src/case/headline.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CASE = join(REPO, 'models', 'north-korea-russia');
/** A small ensemble, so the test runs in seconds; the page uses the headline's defaults. */
const SMALL: HeadlineOptions = { samples: 24, seed: 7, seeds: 2, minRecurrence: 2 };

let server: RunningServer;
const get = async (path: string) => {
  const res = await fetch(new URL(path, server.url));
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  server = await startServer({ model: CASE, root: REPO, port: 0, answerOptions: SMALL });
});
afterAll(async () => {
  await server?.close();
});

describe('case endpoints of the workbench server', () => {
  it('answers the four questions with the library’s numbers, computed once', async () => {
    const first = await get('/api/models/default/answers');
    expect(first.status).toBe(200);
    const expected = computeCaseAnswers(loadCase(CASE), SMALL)!;
    expect(first.body.answers).toEqual(JSON.parse(JSON.stringify(expected)));
    const answers = (first.body.answers as typeof expected).answers;
    expect(answers.map((a) => a.id)).toEqual(['Q1', 'Q2', 'Q3', 'Q4']);
    // The baseline's share and interval appear in the Q1 sentence as the formatter writes them.
    const base = expected.headline.policies.find((p) => p.policy === expected.headline.baseline)!;
    expect(answers[0]!.answer).toContain(`${Math.round(base.growing * 100)}%`);
    const again = await get('/api/models/default/answers');
    expect(again.body).toEqual(first.body);
  }, 180_000);

  it('serves Q4 as the scored rows say: one summary row per date, counts from the rows', async () => {
    const r = await get('/api/models/default/forecasts');
    expect(r.status).toBe(200);
    const f = r.body.forecasts as ReturnType<typeof readCaseForecasts>;
    expect(f).toEqual(JSON.parse(JSON.stringify(readCaseForecasts(join(CASE, CASE_FORECASTS)))));
    expect(r.body.file).toBe('models/north-korea-russia/calibration/q4.json');
    const rows = f.steps.flatMap((s) => s.rows);
    expect(f.summary.forecasts).toBe(rows.length);
    expect(f.summary.paired).toBe(rows.filter((x) => x.analyst !== null).length);
    expect(f.byDate.map((d) => d.asOf)).toEqual(f.steps.map((s) => s.asOf));
    f.byDate.forEach((d, i) => expect(d.forecasts).toBe(f.steps[i]!.rows.length));
  });

  it('gives a plain model no answers and no forecasts', async () => {
    const opened = await fetch(new URL('/api/models', server.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: 'models/examples/teacup.xmile' }),
    });
    const { id } = (await opened.json()) as { id: string };
    expect((await get(`/api/models/${id}/answers`)).body).toEqual({ answers: null });
    expect((await get(`/api/models/${id}/forecasts`)).body).toEqual({ forecasts: null });
    expect((await get('/api/models/nope/answers')).status).toBe(404);
  });
});
