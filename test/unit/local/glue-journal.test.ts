import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  compactGlueWrites,
  GlueJournal,
  type GlueWrite,
  isGlueRead,
} from '../../../lib/local/aws-stores/glue-journal.ts';

const auth = (region: string) => ({
  authorization: `AWS4-HMAC-SHA256 Credential=stratus-local/20261130/${region}/glue/aws4_request, SignedHeaders=host, Signature=x`,
});
const write = (operation: string, body: object, region = 'eu-west-1'): GlueWrite => ({
  target: `AWSGlue.${operation}`,
  headers: { ...auth(region), 'x-amz-target': `AWSGlue.${operation}` },
  body: JSON.stringify(body),
});

describe('Glue journal', () => {
  it('journals writes only', () => {
    expect(isGlueRead('AWSGlue.GetTable')).toBe(true);
    expect(isGlueRead('AWSGlue.GetDatabases')).toBe(true);
    expect(isGlueRead('AWSGlue.UpdateTable')).toBe(false);
    expect(isGlueRead('AWSGlue.CreateDatabase')).toBe(false);
  });

  it("folds a table's updates into one CreateTable of its last definition and drops what was deleted", () => {
    const compacted = compactGlueWrites([
      write('CreateDatabase', { DatabaseInput: { Name: 'db' } }),
      write('CreateTable', { DatabaseName: 'db', TableInput: { Name: 't', Parameters: { v: '1' } } }),
      write('UpdateTable', {
        DatabaseName: 'db',
        TableInput: { Name: 't', Parameters: { v: '2' } },
        VersionId: '1',
      }),
      write('CreateTable', { DatabaseName: 'db', TableInput: { Name: 'gone' } }),
      write('UpdateTable', {
        DatabaseName: 'db',
        TableInput: { Name: 't', Parameters: { v: '3' } },
        VersionId: '2',
      }),
      write('DeleteTable', { DatabaseName: 'db', Name: 'gone' }),
      // Same names in another region are another catalog.
      write('CreateDatabase', { DatabaseInput: { Name: 'db' } }, 'us-east-1'),
      write('CreateDatabase', { DatabaseInput: { Name: 'dropped' } }),
      write('CreateTable', { DatabaseName: 'dropped', TableInput: { Name: 'x' } }),
      write('DeleteDatabase', { Name: 'dropped' }),
    ]);
    expect(compacted.map((w) => [w.target, JSON.parse(w.body)])).toEqual([
      ['AWSGlue.CreateDatabase', { DatabaseInput: { Name: 'db' } }],
      ['AWSGlue.CreateTable', { DatabaseName: 'db', TableInput: { Name: 't', Parameters: { v: '3' } } }],
      ['AWSGlue.CreateDatabase', { DatabaseInput: { Name: 'db' } }],
    ]);
    expect(compacted[2]!.headers.authorization).toContain('/us-east-1/');
    // moto dispatches on the header, so the folded write must say CreateTable there too.
    expect(compacted[1]!.headers['x-amz-target']).toBe('AWSGlue.CreateTable');
  });

  it('keeps a journal with other writes as it is', () => {
    const writes = [
      write('CreateDatabase', { DatabaseInput: { Name: 'db' } }),
      write('TagResource', { ResourceArn: 'arn', TagsToAdd: { a: 'b' } }),
    ];
    expect(compactGlueWrites(writes)).toEqual(writes);
  });

  it('drops a line torn by a crash and rewrites the file compacted', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'glue-journal-')), 'glue-journal.jsonl');
    const journal = new GlueJournal(file);
    journal.append(write('CreateDatabase', { DatabaseInput: { Name: 'db' } }));
    journal.append(write('CreateTable', { DatabaseName: 'db', TableInput: { Name: 't' } }));
    journal.close();
    appendFileSync(file, '{"target":"AWSGlue.UpdateTable","headers":{"author');
    const loaded = new GlueJournal(file).load();
    expect(loaded.map((w) => w.target)).toEqual(['AWSGlue.CreateDatabase', 'AWSGlue.CreateTable']);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2);
  });
});
