/** PostgreSQL specifics; the shared behaviour is tested in store.test.ts on both back ends. */
import { describe, expect, it } from 'vitest';
import { openEvidenceStore } from './open.js';
import { postgresMigrationSql } from './postgres.js';
import { redactUrl } from './postgres-connection.js';
import { StoreError } from './store.js';

describe('PostgreSQL store', () => {
  it('says which server it cannot reach, without the password, in bounded time', async () => {
    const started = Date.now();
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const err = await openEvidenceStore('postgres://alice:secret@127.0.0.1:1/evidence').catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StoreError);
    expect((err as Error).message).toBe(
      'cannot reach the evidence database at postgres://alice@127.0.0.1:1/evidence: connection refused (is PostgreSQL running and listening there?)',
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('redacts passwords and translates SQLite DDL', () => {
    expect(redactUrl('postgresql://u:p%40ss@db.example:5432/x?sslmode=require')).toBe(
      'postgresql://u@db.example:5432/x?sslmode=require',
    );
    expect(redactUrl('postgres://db.example/x')).toBe('postgres://db.example/x');
    expect(
      postgresMigrationSql('CREATE TABLE t (a REAL, b TEXT) STRICT;\nCREATE TABLE u (x INTEGER)\nSTRICT;'),
    ).toBe('CREATE TABLE t (a DOUBLE PRECISION, b TEXT);\nCREATE TABLE u (x INTEGER);');
  });
});
