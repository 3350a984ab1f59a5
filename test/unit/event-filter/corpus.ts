/**
 * Fixed cases, each with event-ruler's verdict: every example of issue 16, the examples of Lambda's Kafka
 * filtering page, and AWS's MSK filtering sample. The unit test checks Stratus against the verdicts; the
 * differential test checks the verdicts against event-ruler itself, so they cannot drift from the engine.
 */

export interface CorpusCase {
  name: string;
  /** The filter pattern, as JSON text (numbers keep their digits). */
  pattern: string;
  /** Whether event-ruler (and so AWS) accepts the pattern. */
  accepted: boolean;
  /** Record values (UTF-8 text, or bytes) and whether Lambda delivers them. */
  records?: Array<[value: string | Buffer, delivered: boolean]>;
}

const v = (pattern: string) => `{"value":${pattern}}`;

export const CORPUS: CorpusCase[] = [
  // Arrays: a pattern field matches values anywhere in arrays, and fields tested together come from one element.
  {
    name: 'nested pattern vs array of objects',
    pattern: v('{"a":{"b":["x"]}}'),
    accepted: true,
    records: [
      ['{"a":[{"b":"x"}]}', true],
      ['{"a":[{"b":"y"},{"b":"x"}]}', true],
      ['{"a":[{"c":"x"}]}', false],
    ],
  },
  {
    name: 'nested arrays',
    pattern: v('{"a":["x"]}'),
    accepted: true,
    records: [
      ['{"a":[["x"]]}', true],
      ['{"a":[[["y","x"]]]}', true],
    ],
  },
  {
    name: 'a value that is itself an array of objects',
    pattern: v('{"a":["x"]}'),
    accepted: true,
    records: [
      ['[{"a":"x"},{"a":"y"}]', true],
      ['[{"a":"y"}]', false],
    ],
  },
  {
    name: 'two fields must match within the same array element',
    pattern: v('{"a":{"b":["x"],"c":["y"]}}'),
    accepted: true,
    records: [
      ['{"a":[{"b":"x","c":"z"},{"b":"w","c":"y"}]}', false],
      ['{"a":[{"b":"x","c":"z"},{"b":"x","c":"y"}]}', true],
      ['{"a":{"b":"x","c":"y"}}', true],
    ],
  },
  // exists applies to leaves only.
  {
    name: 'exists false on an object or an empty list',
    pattern: v('{"a":[{"exists":false}]}'),
    accepted: true,
    records: [
      ['{"a":{"b":1}}', true],
      ['{"a":[]}', true],
      ['{"a":null}', false],
      ['{"a":[1]}', false],
    ],
  },
  {
    name: 'exists true on an empty list or an object',
    pattern: v('{"a":[{"exists":true}]}'),
    accepted: true,
    records: [
      ['{"a":[]}', false],
      ['{"a":{"b":1}}', false],
      ['{"a":null}', true],
      ['{"a":""}', true],
    ],
  },
  {
    name: 'exists false below a missing object',
    pattern: v('{"a":{"b":[{"exists":false}]}}'),
    accepted: true,
    records: [
      ['{}', true],
      ['{"a":{"b":0}}', false],
    ],
  },
  // anything-but.
  {
    name: 'anything-but on an object value',
    pattern: v('{"a":[{"anything-but":"x"}]}'),
    accepted: true,
    records: [
      ['{"a":{"b":1}}', false],
      ['{"a":"y"}', true],
      ['{}', false],
    ],
  },
  {
    name: 'anything-but with a list of prefixes',
    pattern: v('{"a":[{"anything-but":{"prefix":["x","y"]}}]}'),
    accepted: true,
    records: [
      ['{"a":"z"}', true],
      ['{"a":"yes"}', false],
    ],
  },
  {
    name: 'anything-but prefix on numbers, null and booleans',
    pattern: v('{"a":[{"anything-but":{"prefix":"x"}}]}'),
    accepted: true,
    records: [
      ['{"a":5}', true],
      ['{"a":null}', true],
      ['{"a":true}', true],
      ['{"a":"xy"}', false],
    ],
  },
  {
    name: 'anything-but suffix and equals-ignore-case lists',
    pattern: v('{"a":[{"anything-but":{"equals-ignore-case":["ON","off"]}}]}'),
    accepted: true,
    records: [
      ['{"a":"On"}', false],
      ['{"a":"OFF"}', false],
      ['{"a":"auto"}', true],
    ],
  },
  {
    name: 'anything-but wildcard',
    pattern: v('{"a":[{"anything-but":{"wildcard":"*.tmp"}}]}'),
    accepted: true,
    records: [
      ['{"a":"x.tmp"}', false],
      ['{"a":"x.txt"}', true],
    ],
  },
  // Wildcards.
  {
    name: 'wildcard escapes',
    pattern: v('{"a":[{"wildcard":"a\\\\*b"},{"wildcard":"c\\\\\\\\d"}]}'),
    accepted: true,
    records: [
      ['{"a":"a*b"}', true],
      ['{"a":"aXb"}', false],
      ['{"a":"c\\\\d"}', true],
    ],
  },
  {
    name: 'wildcard',
    pattern: v('{"a":[{"wildcard":"eu-*-1"}]}'),
    accepted: true,
    records: [
      ['{"a":"eu-west-1"}', true],
      ['{"a":"eu-1"}', false],
    ],
  },
  // Numbers.
  {
    name: 'integers beyond 2^53 compare as their digits',
    pattern: v('{"a":[9007199254740993]}'),
    accepted: true,
    records: [
      ['{"a":9007199254740993}', true],
      ['{"a":9007199254740992}', false],
      ['{"a":9.007199254740993e15}', false],
    ],
  },
  {
    name: 'a number with no exact double is not numeric',
    pattern: v('{"a":[{"numeric":[">",9007199254740990]}]}'),
    accepted: true,
    records: [
      ['{"a":9007199254740992}', true],
      ['{"a":9007199254740993}', false],
    ],
  },
  {
    name: 'numbers compare by value',
    pattern: v('{"a":[300]}'),
    accepted: true,
    records: [
      ['{"a":3.0e2}', true],
      ['{"a":300.0}', true],
      ['{"a":"300"}', false],
    ],
  },
  {
    name: '-0 is 0',
    pattern: v('{"a":[-0]}'),
    accepted: true,
    records: [
      ['{"a":0}', true],
      ['{"a":-0.0}', true],
    ],
  },
  // equals-ignore-case folds each character to its lower or upper case (Java, Locale.ROOT).
  {
    name: 'equals-ignore-case: long s',
    pattern: v('{"a":[{"equals-ignore-case":"ſ"}]}'),
    accepted: true,
    records: [
      ['{"a":"S"}', true],
      ['{"a":"ſ"}', true],
      ['{"a":"s"}', false],
    ],
  },
  {
    name: 'equals-ignore-case: sharp s',
    pattern: v('{"a":[{"equals-ignore-case":"straße"}]}'),
    accepted: true,
    records: [
      ['{"a":"STRASSE"}', true],
      ['{"a":"Straße"}', true],
      ['{"a":"strasse"}', false],
    ],
  },
  // Patterns AWS refuses.
  { name: 'numeric: upper bound first', pattern: v('{"a":[{"numeric":["<",1,">",0]}]}'), accepted: false },
  { name: 'numeric: equals with a bound', pattern: v('{"a":[{"numeric":["=",5,"<",6]}]}'), accepted: false },
  { name: 'numeric: two lower bounds', pattern: v('{"a":[{"numeric":[">",0,">",-1]}]}'), accepted: false },
  { name: 'numeric: empty range', pattern: v('{"a":[{"numeric":[">=",1,"<=",1]}]}'), accepted: false },
  {
    name: 'numeric: bound with no exact double',
    pattern: v('{"a":[{"numeric":[">",9007199254740993]}]}'),
    accepted: false,
  },
  { name: 'numeric: bound beyond a double', pattern: v('{"a":[{"numeric":["<",1e400]}]}'), accepted: false },
  {
    name: 'numeric: beyond the largest double',
    pattern: v('{"a":[{"numeric":[">",1.7976931348623157e308]}]}'),
    accepted: false,
  },
  { name: 'anything-but: mixed list', pattern: v('{"a":[{"anything-but":["x",5]}]}'), accepted: false },
  { name: 'anything-but: empty list', pattern: v('{"a":[{"anything-but":[]}]}'), accepted: false },
  {
    name: 'anything-but: two keys',
    pattern: v('{"a":[{"anything-but":{"prefix":"a","suffix":"b"}}]}'),
    accepted: false,
  },
  {
    name: 'anything-but: empty prefix',
    pattern: v('{"a":[{"anything-but":{"prefix":""}}]}'),
    accepted: false,
  },
  {
    name: 'anything-but: empty suffix',
    pattern: v('{"a":[{"anything-but":{"suffix":""}}]}'),
    accepted: false,
  },
  {
    name: 'anything-but: empty prefix list first',
    pattern: v('{"a":[{"anything-but":{"prefix":[]}}]}'),
    accepted: false,
  },
  { name: 'wildcard: two stars', pattern: v('{"a":[{"wildcard":"a**b"}]}'), accepted: false },
  { name: 'wildcard: bad escape', pattern: v('{"a":[{"wildcard":"a\\\\b"}]}'), accepted: false },
  { name: 'wildcard: object operand', pattern: v('{"a":[{"wildcard":{"x":1}}]}'), accepted: false },
  { name: '$or with one branch', pattern: v('{"$or":[{"a":["x"]}]}'), accepted: false },
  {
    name: 'operator name as a field inside $or',
    pattern: v('{"$or":[{"prefix":["x"]},{"b":["y"]}]}'),
    accepted: false,
  },
  { name: 'cidr: mask too long', pattern: v('{"a":[{"cidr":"10.0.0.0/33"}]}'), accepted: false },
  { name: 'unknown operator', pattern: v('{"a":[{"prefx":"a"}]}'), accepted: false },
  // Patterns AWS accepts that Stratus used to refuse.
  {
    name: '$or',
    pattern: v('{"$or":[{"a":["x"]},{"b":[{"numeric":[">",1]}]}]}'),
    accepted: true,
    records: [
      ['{"a":"x"}', true],
      ['{"b":2}', true],
      ['{"a":"y","b":1}', false],
    ],
  },
  {
    name: 'cidr',
    pattern: v('{"ip":[{"cidr":"10.0.0.0/24"}]}'),
    accepted: true,
    records: [
      ['{"ip":"10.0.0.7"}', true],
      ['{"ip":"10.0.1.7"}', false],
    ],
  },
  {
    name: 'IP address literal',
    pattern: v('{"ip":["10.0.0.1"]}'),
    accepted: true,
    records: [
      ['{"ip":"010.0.0.1"}', true],
      ['{"ip":"::ffff:a00:1"}', true],
      ['{"ip":"10.0.0.2"}', false],
    ],
  },
  // Lambda's Kafka page: plain strings are filtered by plain patterns; otherwise the value is not seen.
  {
    name: 'Kafka page: ignore messages whose string is "error"',
    pattern: v('[{"anything-but":["error"]}]'),
    accepted: true,
    records: [
      ['error', false],
      ['all good', true],
      ['{"device_ID":"AB1234"}', false],
    ],
  },
  {
    name: 'Kafka page: device_ID begins with AB',
    pattern: v('{"device_ID":[{"prefix":"AB"}]}'),
    accepted: true,
    records: [
      ['{"device_ID":"AB1234","session":{"start_time":"yyyy-mm-ddThh:mm:ss","duration":162}}', true],
      ['{"device_ID":"CD1234"}', false],
      ['AB1234', false],
      [Buffer.from([0xc3, 0x28]), false],
    ],
  },
  // aws-samples/serverless-patterns lambda-esm-msk-filters-sam (its README's table, from a real MSK cluster).
  {
    name: 'MSK sample: prefix on a plain string',
    pattern: v('[{"prefix":"OrderNumber"}]'),
    accepted: true,
    records: [
      ['OrderNumber:12345', true],
      ['{"kind":"Event","RBAC":false,"responseStatus":{"metadata":{},"code":200}}', false],
    ],
  },
  {
    name: 'MSK sample: kind and code',
    pattern: v('{"kind":["Event"],"responseStatus":{"code":[{"numeric":["=",300]}]}}'),
    accepted: true,
    records: [
      ['{"kind":"Event","RBAC":false,"responseStatus":{"metadata":{},"code":300}}', true],
      ['{"kind":"Event","RBAC":false,"responseStatus":{"metadata":{},"code":200}}', false],
      ['OrderNumber:12345', false],
    ],
  },
  {
    name: 'MSK sample: not Event',
    pattern: v('{"kind":[{"anything-but":["Event"]}]}'),
    accepted: true,
    records: [
      ['{"kind":"Custom","region":"us-east-1"}', true],
      ['{"kind":"Event"}', false],
      ['OrderNumber:12345', false],
    ],
  },
  // A JSON pattern on a plain value sees no value at all: only exists:false holds.
  {
    name: 'JSON pattern, plain value, exists false',
    pattern: v('{"a":[{"exists":false}]}'),
    accepted: true,
    records: [
      ['plain text', true],
      ['{"a":1}', false],
    ],
  },
];
