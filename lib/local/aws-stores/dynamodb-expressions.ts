/**
 * The DynamoDB expressions other than conditions that the gateway's memory tables (memory-table.ts) take: the
 * `SET name = :value, …` update expressions Powertools' idempotency writes, projections of top-level
 * attributes, and DynamoDB's check that every placeholder given is used. Anything richer (REMOVE, ADD,
 * DELETE, if_not_exists, arithmetic, nested paths) is refused with a ValidationException naming it, never
 * guessed: a silently wrong update would corrupt idempotency records.
 * Grammar: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { ConditionValidationError, type Item } from './dynamodb-condition.ts';

type Names = Record<string, string> | undefined;
type Values = Record<string, AttributeValue> | undefined;

const NAME = /^(#[A-Za-z0-9_]+|[A-Za-z_][A-Za-z0-9_]*)$/;
const SET_ACTION = /^\s*(#[A-Za-z0-9_]+|[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(:[A-Za-z0-9_]+)\s*$/;

function attributeName(token: string, names: Names): string {
  if (!token.startsWith('#')) return token;
  const name = names?.[token];
  if (name === undefined)
    throw new ConditionValidationError(
      `An expression attribute name used in the document path is not defined; attribute name: ${token}`,
    );
  return name;
}

/** The attributes a `SET a = :v, #b = :w` expression assigns, in order. */
export function parseSetExpression(
  expression: string,
  names: Names,
  values: Values,
): Array<[string, AttributeValue]> {
  const clause = /^\s*SET\s+([\s\S]*)$/i.exec(expression)?.[1];
  const refuse = () =>
    new ConditionValidationError(
      `the local DynamoDB store emulates UpdateExpression "SET name = :value, …" only (no REMOVE, ADD, DELETE, functions, arithmetic or nested paths); got "${expression}"`,
    );
  if (clause === undefined) throw refuse();
  const assigned: Array<[string, AttributeValue]> = [];
  for (const action of clause.split(',')) {
    const match = SET_ACTION.exec(action);
    if (!match) throw refuse();
    const name = attributeName(match[1]!, names);
    const value = values?.[match[2]!];
    if (!value)
      throw new ConditionValidationError(
        `An expression attribute value used in expression is not defined; attribute value: ${match[2]}`,
      );
    if (assigned.some(([other]) => other === name))
      throw new ConditionValidationError(
        `Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [${name}], path two: [${name}]`,
      );
    assigned.push([name, value]);
  }
  return assigned;
}

/** The attribute names of a ProjectionExpression (top-level attributes only). */
export function parseProjection(expression: string, names: Names): string[] {
  return expression.split(',').map((part) => {
    const token = part.trim();
    if (!NAME.test(token))
      throw new ConditionValidationError(
        `the local DynamoDB store projects top-level attributes only; got ProjectionExpression "${expression}"`,
      );
    return attributeName(token, names);
  });
}

/** The item with only the projected attributes (all of it without a projection). */
export function project(item: Item, attributes: string[] | undefined): Item {
  if (!attributes) return item;
  const projected: Item = {};
  for (const name of attributes) if (item[name] !== undefined) projected[name] = item[name];
  return projected;
}

/**
 * DynamoDB refuses placeholders that no expression of the request uses, and placeholders without expressions
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeNames.html).
 */
export function checkPlaceholdersUsed(expressions: Array<unknown>, names: Names, values: Values): void {
  const text = expressions.filter((e): e is string => typeof e === 'string');
  if (text.length === 0) {
    if (names)
      throw new ConditionValidationError(
        'ExpressionAttributeNames can only be specified when using expressions',
      );
    if (values)
      throw new ConditionValidationError(
        'ExpressionAttributeValues can only be specified when using expressions',
      );
    return;
  }
  const used = new Set(text.flatMap((e) => e.match(/[#:][A-Za-z0-9_]+/g) ?? []));
  const unusedNames = Object.keys(names ?? {}).filter((name) => !used.has(name));
  if (unusedNames.length > 0)
    throw new ConditionValidationError(
      `Value provided in ExpressionAttributeNames unused in expressions: keys: {${unusedNames.join(', ')}}`,
    );
  const unusedValues = Object.keys(values ?? {}).filter((value) => !used.has(value));
  if (unusedValues.length > 0)
    throw new ConditionValidationError(
      `Value provided in ExpressionAttributeValues unused in expressions: keys: {${unusedValues.join(', ')}}`,
    );
}
