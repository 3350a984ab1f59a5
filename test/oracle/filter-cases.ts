/**
 * fast-check arbitraries for the filter differential test: Lambda filter patterns over every operator
 * event-ruler knows (valid and invalid forms), and Kafka record values that exercise them (nested objects,
 * arrays of objects, nested arrays, missing/null/empty values, numbers at the edges of a double, Unicode
 * case folding, IP addresses, plain strings, bytes that are not UTF-8).
 *
 * Patterns and JSON values are built as JSON *text*: a number keeps the digits it was written with
 * (`1e2`, `-0`, `9007199254740993`), as it does on the wire to AWS.
 */
import fc from 'fast-check';

/** A JSON value whose numbers are kept as their source text. */
export type JsonText =
  | { num: string }
  | string
  | boolean
  | null
  | JsonText[]
  | { entries: [string, JsonText][] };

export function toJson(value: JsonText): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if ('num' in value) return value.num;
  return `{${value.entries.map(([key, item]) => `${JSON.stringify(key)}:${toJson(item)}`).join(',')}}`;
}

const num = (text: string): JsonText => ({ num: text });
const isObject = (node: JsonText): node is { entries: [string, JsonText][] } =>
  node !== null && typeof node === 'object' && !Array.isArray(node) && 'entries' in node;
const obj = (...entries: [string, JsonText][]): JsonText => ({ entries });

/** Field names: a few common ones so patterns and records meet, and a few odd ones. */
const KEYS = ['a', 'b', 'c', 'd'];
const ODD_KEYS = ['a.b', 'A', 'ü', 'prefix', 'numeric', ''];

/** Strings chosen to hit case folding, IP literals, wildcard characters, quotes and look-alikes. */
const STRINGS = [
  'x',
  'X',
  'abc',
  'ABC',
  'aBc',
  '',
  ' ',
  'order.created',
  'order.paid',
  'eu-west-1',
  'us-east-1',
  'a*b',
  'a\\*b',
  'a\\b',
  'aXb',
  'a"b',
  '"',
  'straße',
  'STRASSE',
  'strasse',
  'Straße',
  'ſ',
  'S',
  's',
  'K',
  'k',
  'İ',
  'i̇',
  'i',
  'ı',
  'I',
  'Σ',
  'σ',
  'ς',
  'ǅ',
  'ǆ',
  'Ǆ',
  'ﬀ',
  'FF',
  'ff',
  'é',
  'É',
  '😀',
  '??',
  'x😀y',
  '\ud800x',
  '?x',
  '\udc00',
  '10.0.0.1',
  '010.0.0.1',
  '10.0.0.255',
  '10.0.1.0',
  '192.168.0.1',
  '999.0.0.1',
  '::1',
  '0::1',
  '::ffff:a00:1',
  'fe80::1',
  '12000000',
  'null',
  'true',
  '5',
  '1e2',
];

/** Number literals at the edges: exponent forms, -0, 2^53 ± 1, the largest and smallest doubles, overflow. */
const NUMBERS = [
  '0',
  '-0',
  '0.0',
  '1',
  '-1',
  '1.5',
  '5',
  '5.0',
  '1e2',
  '100',
  '1E2',
  '3.0e2',
  '300',
  '0.1',
  '1e-7',
  '-5e-7',
  '9007199254740992',
  '9007199254740993',
  '-9007199254740993',
  '1e308',
  '1.7976931348623157e308',
  '-1.7976931348623157e308',
  '1e400',
  '-1e400',
  '4.9e-324',
  '5e-324',
  '2.2250738585072014e-308',
  '1e21',
  '12000000',
  '123456789012345678901234567890',
];

const string = fc.constantFrom(...STRINGS);
const numberText = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NUMBERS) },
  {
    weight: 1,
    arbitrary: fc
      .double({ noNaN: true, noDefaultInfinity: true })
      .map((value) => (Object.is(value, -0) ? '-0' : String(value))),
  },
  { weight: 1, arbitrary: fc.integer({ min: -20, max: 20 }).map(String) },
);
const number = numberText.map(num);
const key = fc.oneof(
  { weight: 9, arbitrary: fc.constantFrom(...KEYS) },
  { weight: 1, arbitrary: fc.constantFrom(...ODD_KEYS) },
);

const WILDCARDS = [
  '*',
  'a*',
  '*b',
  'a*b',
  'a**b',
  'a\\*b',
  'a\\\\b',
  'a\\b',
  '*@doe.com',
  'eu-*-1',
  'x*y*z',
  '\\*',
  '',
  '*ß*',
  '*"*',
  'a\\',
];
const wildcard = fc.constantFrom(...WILDCARDS);
const CIDRS = [
  '10.0.0.0/8',
  '10.0.0.0/24',
  '10.0.0.1/31',
  '::/0',
  '::ffff:a00:0/120',
  'fe80::/10',
  '10.0.0.0',
  '10.0.0.0/32',
  '10.0.0.0/33',
  '1.2.3.4/0',
  'bad/8',
  '10.0.0.0/x',
  '10.0.0.0/-1',
  '::/128',
];

/**
 * `{ "value": … }`: a JSON pattern (an object under value) or a plain-string pattern (a list under value).
 * `rough` weighs the forms event-ruler refuses: 0 gives mostly valid patterns (so the matcher gets
 * exercised), 1 mixes in every malformed shape (so the validator does).
 */
function patternArbitrary(rough: number): fc.Arbitrary<JsonText> {
  /** One value of a string-set operator (prefix, suffix, equals-ignore-case, wildcard): a string, or not. */
  const setOperand = (strings: fc.Arbitrary<JsonText>): fc.Arbitrary<JsonText> =>
    fc.oneof(
      { weight: 5, arbitrary: strings },
      { weight: 3, arbitrary: fc.array(strings, { minLength: 1, maxLength: 3 }) },
      { weight: rough, arbitrary: fc.constantFrom<JsonText>([], null, true, num('5'), [num('5')], obj()) },
    );

  const caseless = fc.oneof(string, fc.constant<JsonText>({ entries: [['equals-ignore-case', 'Ab']] }));

  const numericOperand: fc.Arbitrary<JsonText> = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.tuple(fc.constantFrom('=', '<', '<=', '>', '>='), number).map(([op, n]) => [op, n]),
    },
    {
      weight: 6,
      arbitrary: fc
        .tuple(fc.constantFrom('>', '>='), number, fc.constantFrom('<', '<='), number)
        .map(([a, n1, b, n2]) => [a, n1, b, n2]),
    },
    {
      weight: 2 * rough,
      arbitrary: fc
        .tuple(
          fc.constantFrom('=', '<', '<=', '>', '>=', '=='),
          number,
          fc.constantFrom('=', '<', '<=', '>', '>='),
          number,
        )
        .map(([a, n1, b, n2]) => [a, n1, b, n2]),
    },
    {
      weight: rough,
      arbitrary: fc.constantFrom<JsonText>(
        [],
        ['>'],
        ['x', num('1')],
        ['>', '1'],
        ['>', num('0'), '<', num('1'), '<', num('2')],
        num('5'),
        '>',
      ),
    },
  );

  const anythingBut: fc.Arbitrary<JsonText> = fc.oneof(
    { weight: 3, arbitrary: fc.oneof(string, number) },
    { weight: 3, arbitrary: fc.array(string, { minLength: 1, maxLength: 3 }) },
    { weight: 2, arbitrary: fc.array(number, { minLength: 1, maxLength: 3 }) },
    { weight: rough, arbitrary: fc.tuple(string, number).map(([s, n]) => [s, n]) },
    {
      weight: 4,
      arbitrary: fc
        .tuple(
          fc.constantFrom('prefix', 'suffix', 'equals-ignore-case', 'wildcard'),
          setOperand(fc.oneof(string, wildcard)),
        )
        .map(([op, operand]) => obj([op, operand])),
    },
    {
      weight: rough,
      arbitrary: fc.constantFrom<JsonText>(
        [],
        null,
        true,
        obj(),
        obj(['prefix', 'a'], ['suffix', 'b']),
        obj(['numeric', ['>', num('1')]]),
        [null],
        [true],
      ),
    },
  );

  /** An operator mapping, valid or not, for every operator event-ruler knows and a few it does not. */
  const operator: fc.Arbitrary<JsonText> = fc.oneof(
    { weight: 3, arbitrary: caseless.map((operand) => obj(['prefix', operand])) },
    { weight: 3, arbitrary: caseless.map((operand) => obj(['suffix', operand])) },
    { weight: 3, arbitrary: string.map((operand) => obj(['equals-ignore-case', operand])) },
    { weight: 3, arbitrary: wildcard.map((operand) => obj(['wildcard', operand])) },
    { weight: 5, arbitrary: anythingBut.map((operand) => obj(['anything-but', operand])) },
    { weight: 5, arbitrary: numericOperand.map((operand) => obj(['numeric', operand])) },
    {
      weight: 3,
      arbitrary: fc
        .constantFrom<JsonText>(...(rough > 0 ? [true, false, true, false, 'yes', null] : [true, false]))
        .map((operand) => obj(['exists', operand])),
    },
    { weight: 2, arbitrary: fc.constantFrom(...CIDRS).map((operand) => obj(['cidr', operand])) },
    { weight: 1, arbitrary: string.map((operand) => obj(['exactly', operand])) },
    {
      weight: rough,
      arbitrary: fc.constantFrom<JsonText>(
        obj(['prefx', 'a']),
        obj(),
        obj(['prefix', 'a'], ['suffix', 'b']),
        obj(['prefix', num('5')]),
        obj(['prefix', obj(['equals-ignore-case', num('1')])]),
        obj(['prefix', obj(['wildcard', 'a'])]),
        obj(['suffix', obj()]),
        obj(['equals-ignore-case', num('1')]),
        obj(['wildcard', num('1')]),
        obj(['cidr', num('10')]),
        obj(['exactly', num('1')]),
      ),
    },
  );

  const matcher: fc.Arbitrary<JsonText> = fc.oneof(
    { weight: 4, arbitrary: string },
    { weight: 3, arbitrary: number },
    { weight: 1, arbitrary: fc.constantFrom<JsonText>(true, false, null) },
    { weight: 8, arbitrary: operator },
    { weight: rough, arbitrary: fc.constantFrom<JsonText>([], ['x'], obj(['a', ['x']])) },
  );

  const matcherList = fc.oneof(
    { weight: 20, arbitrary: fc.array(matcher, { minLength: 1, maxLength: 3 }) },
    { weight: rough, arbitrary: fc.constant<JsonText>([]) },
  );

  /** A pattern object: fields map to matcher lists, nested objects or `$or` branches. */
  const patternObject: fc.Memo<JsonText> = fc.memo((depth) =>
    fc
      .uniqueArray(
        fc.tuple(
          fc.oneof(
            { weight: 12, arbitrary: rough > 0 ? key : fc.constantFrom(...KEYS) },
            { weight: 1, arbitrary: fc.constant('$or') },
          ),
          depth > 1
            ? fc.oneof(
                { weight: 6, arbitrary: matcherList },
                { weight: 2, arbitrary: patternObject(depth - 1) },
                { weight: rough, arbitrary: fc.constantFrom<JsonText>('x', num('1'), null) },
              )
            : matcherList,
        ),
        { minLength: 1, maxLength: 3, selector: ([name]) => name },
      )
      .chain((fields) =>
        fields.some(([name]) => name === '$or')
          ? fc
              .oneof(
                {
                  weight: 8,
                  arbitrary: fc.array(patternObject(Math.max(1, depth - 1)), { minLength: 2, maxLength: 3 }),
                },
                { weight: rough, arbitrary: fc.array(patternObject(1), { minLength: 0, maxLength: 1 }) },
                {
                  weight: rough,
                  arbitrary: fc.constantFrom<JsonText>(obj(['a', ['x']]), [['x']], ['x', obj(['a', ['x']])]),
                },
              )
              .map((branches) =>
                obj(
                  ...fields.map(([name, value]): [string, JsonText] => [
                    name,
                    name === '$or' ? branches : value,
                  ]),
                ),
              )
          : fc.constant(obj(...fields)),
      ),
  );

  return fc.oneof(
    { weight: 6, arbitrary: patternObject(3).map((value) => obj(['value', value])) },
    { weight: 1, arbitrary: matcherList.map((value) => obj(['value', value])) },
  );
}

export const kafkaPattern: fc.Arbitrary<JsonText> = fc.oneof(
  { weight: 3, arbitrary: patternArbitrary(0) },
  { weight: 2, arbitrary: patternArbitrary(1) },
);

/** A JSON record value: objects, arrays of objects, nested arrays, nulls, empties. */
const jsonValue: fc.Memo<JsonText> = fc.memo((depth) =>
  depth <= 1
    ? fc.oneof(string, number, fc.constantFrom<JsonText>(true, false, null))
    : fc.oneof(
        { weight: 5, arbitrary: fc.oneof(string, number, fc.constantFrom<JsonText>(true, false, null)) },
        { weight: 3, arbitrary: recordObject(depth - 1) },
        { weight: 2, arbitrary: fc.array(jsonValue(depth - 1), { maxLength: 3 }) },
        { weight: 2, arbitrary: fc.array(recordObject(depth - 1), { minLength: 1, maxLength: 3 }) },
        { weight: 1, arbitrary: fc.constantFrom<JsonText>([], obj(), [[]]) },
      ),
);

const recordObject: fc.Memo<JsonText> = fc.memo((depth) =>
  fc
    .uniqueArray(fc.tuple(key, jsonValue(depth)), { maxLength: 4, selector: ([name]) => name })
    .map((entries) => obj(...entries)),
);

/** A Kafka record value as bytes: mostly JSON, sometimes a plain string, a bare JSON scalar or not UTF-8. */
export const kafkaValue: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 12, arbitrary: recordObject(4).map((value) => Buffer.from(toJson(value))) },
  {
    weight: 2,
    arbitrary: fc.array(recordObject(2), { maxLength: 2 }).map((value) => Buffer.from(toJson(value))),
  },
  { weight: 3, arbitrary: string.map((text) => Buffer.from(text)) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('Order', 'error', '5', '"x"', 'null', ' {"a":"x"}', '{"a":')
      .map((text) => Buffer.from(text)),
  },
  { weight: 1, arbitrary: fc.constantFrom(Buffer.from([0xff, 0xfe, 0x61]), Buffer.from([0xc3, 0x28])) },
);

/** Strings and numbers a pattern mentions (literals, operands, bounds), the raw material of related records. */
function mentioned(node: JsonText, into: JsonText[] = []): JsonText[] {
  if (node === null || typeof node === 'boolean') into.push(node);
  else if (typeof node === 'string') {
    into.push(
      node,
      node.toUpperCase(),
      node.toLowerCase(),
      `${node}z`,
      `z${node}`,
      node.replaceAll('*', 'q'),
    );
    if (node.includes('/')) into.push(node.split('/')[0]!);
  } else if (Array.isArray(node)) for (const item of node) mentioned(item, into);
  else if ('num' in node) {
    into.push(node);
    const value = Number(node.num);
    if (Number.isFinite(value)) into.push(num(String(value + 1)), num(String(-value)));
  } else for (const [, item] of node.entries) mentioned(item, into);
  return into;
}

/** A record value shaped like the pattern: its fields, as scalars, lists or lists of objects, or missing. */
function relatedTo(node: { entries: [string, JsonText][] }, pool: JsonText[]): fc.Arbitrary<JsonText> {
  const scalar =
    pool.length > 0
      ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...pool) }, { weight: 1, arbitrary: jsonValue(1) })
      : jsonValue(1);
  const fields = node.entries.flatMap(([name, item]): fc.Arbitrary<[string, JsonText] | undefined>[] => {
    if (name === '$or' && Array.isArray(item))
      return item.flatMap((branch) =>
        isObject(branch) ? branch.entries.map(([inner, value]) => field(inner, value)) : [],
      );
    return [field(name, item)];
  });
  function field(name: string, item: JsonText): fc.Arbitrary<[string, JsonText] | undefined> {
    const value: fc.Arbitrary<JsonText> = isObject(item)
      ? fc.oneof(
          { weight: 6, arbitrary: relatedTo(item, pool) },
          { weight: 3, arbitrary: fc.array(relatedTo(item, pool), { minLength: 1, maxLength: 3 }) },
          { weight: 1, arbitrary: scalar },
        )
      : fc.oneof(
          { weight: 6, arbitrary: scalar },
          { weight: 2, arbitrary: fc.array(scalar, { minLength: 1, maxLength: 3 }) },
          { weight: 1, arbitrary: scalar.map((inner) => [[inner]]) },
          { weight: 1, arbitrary: fc.constantFrom<JsonText>([], obj(), null) },
        );
    return fc.option(
      value.map((inner): [string, JsonText] => [name, inner]),
      { freq: 8, nil: undefined },
    );
  }
  return fc.tuple(...fields).map((entries) => {
    const unique = new Map<string, JsonText>();
    for (const entry of entries) if (entry) unique.set(entry[0], entry[1]);
    return obj(...unique.entries());
  });
}

/** Record values for a pattern: mostly built from what the pattern mentions, some unrelated. */
function valuesFor(pattern: JsonText): fc.Arbitrary<Buffer[]> {
  const value = (pattern as { entries: [string, JsonText][] }).entries[0]![1];
  const pool = mentioned(value);
  const strings = pool.filter((item): item is string => typeof item === 'string');
  const related: fc.Arbitrary<Buffer> = isObject(value)
    ? relatedTo(value, pool).map((record) => Buffer.from(toJson(record)))
    : strings.length > 0
      ? fc.constantFrom(...strings).map((text) => Buffer.from(text))
      : kafkaValue;
  return fc.array(fc.oneof({ weight: 4, arbitrary: related }, { weight: 1, arbitrary: kafkaValue }), {
    minLength: 1,
    maxLength: 6,
  });
}

/** One differential case: a pattern (JSON text) and several record values to match against it. */
export const filterCase = kafkaPattern.chain((pattern) =>
  valuesFor(pattern).map((values) => ({ pattern: toJson(pattern), values })),
);

/**
 * Lambda's filter input for a Kafka record, as event-ruler receives it: the record's metadata and `value`
 * decoded. Per https://docs.aws.amazon.com/lambda/latest/dg/kafka-filtering.html a value is decoded as
 * UTF-8; a JSON value is filtered by a JSON pattern (an object under `value`), a plain string by a plain
 * pattern (a list under `value`), and otherwise "Lambda processes metadata filters only": the value is not
 * part of the input. AWS's own sample (aws-samples/serverless-patterns, lambda-esm-msk-filters-sam) shows
 * both mismatches dropping the record for positive conditions. This is written independently of
 * lib/core/event-filter so the test checks the emulator's reading of the page too.
 */
export function lambdaFilterInput(pattern: string, value: Buffer | null): string {
  const metadata = '"topic":"t","partition":0,"offset":1,"timestamp":0,"timestampType":"CREATE_TIME"';
  const plainPattern = /^\{"value":\[/.test(pattern);
  if (value === null) return `{${metadata}}`;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(value);
  } catch {
    return `{${metadata}}`;
  }
  let json = false;
  try {
    const parsed: unknown = JSON.parse(text);
    json = typeof parsed === 'object' && parsed !== null;
  } catch {
    json = false;
  }
  if (json && !plainPattern) return `{${metadata},"value":${text}}`;
  if (!json && plainPattern) return `{${metadata},"value":${JSON.stringify(text)}}`;
  return `{${metadata}}`;
}
