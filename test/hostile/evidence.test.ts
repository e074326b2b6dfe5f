/**
 * Evidence import cannot leave the database unreadable, and what goes in is text as written:
 * a BOM is accepted, invalid UTF-8 and invisible or reordering characters in names are refused
 * with their position.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  emptyDocument,
  parseEvidenceJson,
  serializeEvidence,
  type EvidenceDocument,
} from '../../src/evidence/data.js';
import { sampleDocument } from '../../src/evidence/testing-fixtures.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { StoreDataError } from '../../src/store/store.js';
import { cliCapped } from './helpers.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'interlock-hostile-ev-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function withStore<T>(
  db: string,
  use: (s: Awaited<ReturnType<typeof openSqliteStore>>) => Promise<T>,
): Promise<T> {
  const store = await openSqliteStore(db);
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

describe('evidence import validates the merged result', () => {
  it('refuses a valid document that would leave an indicator pointing at a removed hypothesis, and changes nothing', async () => {
    const db = path.join(tmp, 'merged.db');
    await withStore(db, (s) => s.importDocument(sampleDocument()));
    const before = await withStore(db, async (s) => serializeEvidence(await s.exportDocument()));
    // Valid alone: set-1 replaced by one without H2 (and without the ratings of H2).
    const sample = sampleDocument();
    const set = sample.hypothesisSets[0]!;
    const incoming: EvidenceDocument = {
      ...emptyDocument(),
      sources: sample.sources,
      reports: sample.reports,
      hypothesisSets: [
        {
          ...set,
          hypotheses: set.hypotheses.filter((h) => h.id !== 'H2'),
          ratings: set.ratings.filter((r) => r.hypothesis !== 'H2'),
        },
      ],
    };
    expect(parseEvidenceJson(serializeEvidence(incoming)).ok).toBe(true);
    const err = await withStore(db, (s) => s.importDocument(incoming)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreDataError);
    expect((err as Error).message).toContain('merged with what');
    expect((err as Error).message).toContain('nothing was changed');
    expect((err as Error).message).toMatch(/\$\.indicators\[0\]\.bearsOn.*H2/);
    // Rolled back: the database still exports, unchanged.
    const after = await withStore(db, async (s) => serializeEvidence(await s.exportDocument()));
    expect(after).toBe(before);
  });
});

describe('evidence files as text', () => {
  const write = (name: string, bytes: Buffer | string): string => {
    const f = path.join(tmp, name);
    writeFileSync(f, bytes);
    return f;
  };
  const text = serializeEvidence(sampleDocument());

  it('a byte-order mark is accepted', () => {
    const f = write('bom.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
    const r = cliCapped(['evidence', 'import', f, '--db', path.join(tmp, 'bom.db')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('imported 2 sources');
  });

  it('invalid UTF-8 is refused with its line and column, not stored as U+FFFD', () => {
    const lines = text.split('\n');
    const at = lines.findIndex((l) => l.includes('Agency A'));
    const cut = lines[at]!.indexOf('Agency A') + 'Agency '.length;
    const broken = Buffer.concat([
      Buffer.from(lines.slice(0, at).join('\n') + '\n' + lines[at]!.slice(0, cut)),
      Buffer.from([0xc3, 0x28]),
      Buffer.from(lines[at]!.slice(cut + 1) + '\n' + lines.slice(at + 1).join('\n')),
    ]);
    const f = write('bad-utf8.json', broken);
    const col = cut + 1;
    const r = cliCapped(['evidence', 'import', f, '--db', path.join(tmp, 'utf8.db')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${f}:${at + 1}:${col}`);
    expect(r.stderr).toContain('invalid UTF-8 (byte 0xc3');
  });

  it('bidi and zero-width characters in names are refused with their position', () => {
    for (const [ch, what] of [
      ['\u202e', 'U+202E (a bidirectional-text control)'],
      ['\u200b', 'U+200B (a zero-width character)'],
      ['\u0007', 'U+0007 (a control character)'],
    ] as const) {
      const parsed = parseEvidenceJson(text.replace('"Agency A"', JSON.stringify(`Agen${ch}cy A`)));
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) {
        expect(parsed.issues[0]!.path).toBe('$.sources[0].name');
        expect(parsed.issues[0]!.message).toBe(`${what} at character 5 is not allowed here`);
      }
    }
    // Line breaks stay allowed in free text such as notes.
    const doc = sampleDocument();
    doc.sources[1]!.note = 'two\nlines';
    expect(parseEvidenceJson(serializeEvidence(doc)).ok).toBe(true);
  });

  it('model files: invalid UTF-8 and bidi characters in variable names are located errors', () => {
    const model = (name: string) =>
      `<?xml version="1.0" encoding="utf-8"?>\n<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">\n<header><name>t</name></header>\n<sim_specs><start>0</start><stop>1</stop><dt>1</dt></sim_specs>\n<model><variables>\n<aux name="${name}"><eqn>1</eqn></aux>\n</variables></model>\n</xmile>\n`;
    const bidi = write('bidi.xmile', model('safe&#x202E;name'));
    const r = cliCapped(['check', bidi]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `${bidi}:6:6: error: variable name has U+202E (a bidirectional-text control) at character 5, which names may not contain`,
    );
    const bytes = Buffer.from(model('caf\u00e9'));
    const i = bytes.indexOf(0xc3);
    bytes[i + 1] = 0x28; // 0xc3 0x28: a lead byte without its continuation
    const bad = write('bad.xmile', bytes);
    const r2 = cliCapped(['run', bad]);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain(`${bad}:6:15: error: invalid UTF-8 (byte 0xc3`);
    expect(readFileSync(bad).includes(Buffer.from('\ufffd'))).toBe(false);
  });
});
