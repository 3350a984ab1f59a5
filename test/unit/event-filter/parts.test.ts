import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cidrRange, ipToHex } from '../../../lib/core/event-filter/ip.ts';
import { JsonNumber, parseJsonKeepingNumbers } from '../../../lib/core/event-filter/json.ts';
import { comparableKey, comparableKeyOfText } from '../../../lib/core/event-filter/numbers.ts';
import { parseWildcard } from '../../../lib/core/event-filter/strings.ts';

describe('filter building blocks', () => {
  // Each expectation is what event-ruler 2.1.0's CIDR.ipToString returned on Java 17.
  it.each([
    ['10.0.0.1', '0A000001'],
    ['010.0.0.1', '0A000001'],
    ['0010.0.0.01', '0A000001'],
    ['1.2.3.256', undefined],
    ['00000000001.2.3.4', undefined],
    ['::', '0'.repeat(32)],
    ['::1', `${'0'.repeat(31)}1`],
    ['1::', `0001${'0'.repeat(28)}`],
    ['1:2:3:4:5:6:7:8', '00010002000300040005000600070008'],
    ['1:2:3:4:5:6:7:8:9', undefined],
    ['1::2::3', undefined],
    ['::ffff:a00:1', '0A000001'],
    ['0::0:ffff:a00:1', '0A000001'],
    ['12345::1', undefined],
    [':1', undefined],
    [':::', undefined],
    ['1:2:3:4:5:6:7::', '00010002000300040005000600070000'],
    ['1:2:3:4:5:6:7:', undefined],
    ['::a00:1', '0000000000000000000000000A000001'],
    ['ABCD::ef', 'ABCD00000000000000000000000000EF'],
    ['1.2.3.4.5', undefined],
  ])('reads %s as an IP address like event-ruler', (text, hex) => {
    expect(ipToHex(text)).toBe(hex);
  });

  it('gives event-ruler’s reasons for malformed CIDRs', () => {
    expect(cidrRange('10.0.0.0/8')).toEqual({
      bottom: '0A000000',
      top: '0AFFFFFF',
      openBottom: false,
      openTop: false,
    });
    expect(cidrRange('10.0.0.0')).toEqual({ error: "Malformed CIDR, one '/' required" });
    expect(cidrRange('10.0.0.0/x')).toEqual({ error: 'Malformed CIDR, mask bits must be an integer' });
    expect(cidrRange('10.0.0.0/33')).toEqual({ error: 'IPv4 mask bits must be < 32' });
    expect(cidrRange('bad/8')).toEqual({ error: 'Nonstandard IP address: bad' });
    expect(cidrRange('999.0.0.0/8')).toEqual({ error: 'Invalid IP address: 999.0.0.0' });
  });

  it('orders comparable keys as the numbers they encode, with -0 equal to 0', () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        (a, b) => {
          const [ka, kb] = [comparableKey(a), comparableKey(b)];
          expect(ka).toHaveLength(10);
          expect(ka === kb ? 0 : ka < kb ? -1 : 1).toBe(a === b ? 0 : a < b ? -1 : 1);
        },
      ),
    );
  });

  it('compares only numbers whose digits are their double', () => {
    expect(comparableKeyOfText('0.1')).toBe(comparableKey(0.1));
    expect(comparableKeyOfText('3.0e2')).toBe(comparableKey(300));
    expect(comparableKeyOfText('-0')).toBe(comparableKey(0));
    expect(comparableKeyOfText('9007199254740992')).toBeDefined();
    expect(comparableKeyOfText('9007199254740993')).toBeUndefined();
    expect(comparableKeyOfText('1e400')).toBeUndefined();
    expect(comparableKeyOfText('0.1000000000000000055511151231257827')).toBeUndefined();
  });

  it('parses JSON like JSON.parse, keeping every number’s text', () => {
    const plain = (value: unknown): unknown =>
      value instanceof JsonNumber
        ? Number(value.text)
        : Array.isArray(value)
          ? value.map(plain)
          : typeof value === 'object' && value !== null
            ? Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item)]))
            : value;
    fc.assert(
      fc.property(fc.json(), (text) => {
        expect(plain(parseJsonKeepingNumbers(text))).toEqual(JSON.parse(text));
      }),
    );
    expect(parseJsonKeepingNumbers('{"a":[1e2,-0,9007199254740993]}')).toEqual({
      a: [new JsonNumber('1e2'), new JsonNumber('-0'), new JsonNumber('9007199254740993')],
    });
    for (const bad of ['{', '[1,]', '{"a":1,}', '01', '"\\x"', 'tru', '1 2'])
      expect(() => parseJsonKeepingNumbers(bad)).toThrow();
  });

  it('reports wildcard errors at event-ruler’s byte positions', () => {
    expect(parseWildcard('"a**b"')).toEqual({ error: 'Consecutive wildcard characters at pos 2' });
    expect(parseWildcard('"é\\b"')).toEqual({ error: 'Invalid escape character at pos 3' });
    expect(parseWildcard('"a\\*b*"')).toEqual({ pieces: ['"a*b', '"'] });
  });
});
