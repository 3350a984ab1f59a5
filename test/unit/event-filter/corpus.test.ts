import { describe, expect, it } from 'vitest';
import {
  matchesFilters,
  parseJsonKeepingNumbers,
  validateFilterPattern,
} from '../../../lib/core/event-filter.ts';
import { CORPUS } from './corpus.ts';

const record = (value: string | Buffer) => ({
  topic: 'orders',
  partition: 0,
  offset: 1,
  timestamp: 0,
  timestampType: 'CREATE_TIME',
  value: Buffer.from(value).toString('base64'),
});

describe('filters: issue 16 regression corpus (verdicts are event-ruler 2.1.0 and AWS samples)', () => {
  for (const corpusCase of CORPUS) {
    it(corpusCase.name, () => {
      const pattern = parseJsonKeepingNumbers(corpusCase.pattern);
      const problems = validateFilterPattern(pattern);
      expect({ pattern: corpusCase.pattern, accepted: problems.length === 0, problems }).toMatchObject({
        accepted: corpusCase.accepted,
      });
      for (const [value, delivered] of corpusCase.records ?? [])
        expect({ value: String(value), delivered: matchesFilters(record(value), [pattern]) }).toEqual({
          value: String(value),
          delivered,
        });
    });
  }
});
