/**
 * The local DynamoDB condition evaluator parses each expression text once and reuses the parse: what a request
 * puts in its ExpressionAttributeNames / ExpressionAttributeValues must still be read from that request, every
 * time. (The evaluator's answers against dynalite's are tested in test/integration/local/dynamodb-transactions.)
 */
import { describe, expect, it } from 'vitest';
import {
  ConditionValidationError,
  evaluateCondition,
} from '../../../lib/local/aws-stores/dynamodb-condition.ts';

// Powertools Idempotency's claim condition, the one the local store evaluates most.
const CLAIM =
  'attribute_not_exists(#id) OR #expiry < :now OR (#status = :inprogress AND attribute_exists(#in_progress_expiry) AND #in_progress_expiry < :now_in_millis)';
const CLAIM_NAMES = {
  '#id': 'id',
  '#expiry': 'expiration',
  '#status': 'status',
  '#in_progress_expiry': 'in_progress_expiration',
};
const claimValues = (nowSeconds: number) => ({
  ':now': { N: String(nowSeconds) },
  ':now_in_millis': { N: String(nowSeconds * 1000) },
  ':inprogress': { S: 'INPROGRESS' },
});

describe('evaluateCondition on an expression it parsed before', () => {
  const stored = {
    id: { S: 'fn#key' },
    expiration: { N: '2000' },
    status: { S: 'COMPLETED' },
  };

  it('reads each request its own values', () => {
    // The same text three times: an unexpired completed record blocks the claim, an expired one does not.
    expect(
      evaluateCondition({ expression: CLAIM, names: CLAIM_NAMES, values: claimValues(1000) }, stored),
    ).toBe(false);
    expect(
      evaluateCondition({ expression: CLAIM, names: CLAIM_NAMES, values: claimValues(3000) }, stored),
    ).toBe(true);
    expect(
      evaluateCondition({ expression: CLAIM, names: CLAIM_NAMES, values: claimValues(1000) }, undefined),
    ).toBe(true);
  });

  it('reads each request its own names', () => {
    const expression = '#a = :v';
    const item = { left: { S: 'x' }, right: { S: 'y' } };
    expect(
      evaluateCondition({ expression, names: { '#a': 'left' }, values: { ':v': { S: 'x' } } }, item),
    ).toBe(true);
    expect(
      evaluateCondition({ expression, names: { '#a': 'right' }, values: { ':v': { S: 'x' } } }, item),
    ).toBe(false);
    expect(
      evaluateCondition(
        { expression: 'attribute_exists(#a)', names: { '#a': 'right' } },
        { right: { N: '1' } },
      ),
    ).toBe(true);
    expect(
      evaluateCondition(
        { expression: 'attribute_exists(#a)', names: { '#a': 'left' } },
        { right: { N: '1' } },
      ),
    ).toBe(false);
  });

  it('still refuses a placeholder the request leaves undefined, naming it', () => {
    const expression = '#n < :limit';
    expect(
      evaluateCondition(
        { expression, names: { '#n': 'n' }, values: { ':limit': { N: '5' } } },
        { n: { N: '1' } },
      ),
    ).toBe(true);
    expect(() =>
      evaluateCondition({ expression, names: { '#n': 'n' }, values: {} }, { n: { N: '1' } }),
    ).toThrow(
      new ConditionValidationError(
        'Value provided in ExpressionAttributeValues unused in expressions or not defined: :limit',
      ),
    );
    expect(() => evaluateCondition({ expression, values: { ':limit': { N: '5' } } }, undefined)).toThrow(
      /attribute name: #n/,
    );
    // A placeholder in a branch the evaluation never reaches is refused too, as DynamoDB validates the whole text.
    expect(() =>
      evaluateCondition({ expression: 'attribute_not_exists(n) OR n < :missing' }, undefined),
    ).toThrow(/:missing/);
  });

  it('answers alike past the bound of remembered expressions', () => {
    for (let i = 0; i < 2500; i++) {
      const expression = `n = :v${i % 1200}`;
      const values = { [`:v${i % 1200}`]: { N: String(i) } };
      expect(evaluateCondition({ expression, values }, { n: { N: String(i) } })).toBe(true);
      expect(evaluateCondition({ expression, values }, { n: { N: String(i + 1) } })).toBe(false);
    }
  });
});
