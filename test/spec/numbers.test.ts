import t from 'tap';
import { toInt64, toUint64 } from '../../src/spec/numbers.js';

t.test('uint64 from JSON', async (t) => {
  const parsed = JSON.parse('{"hard": 18446744073709551615}') as { hard: number };
  t.equal(toUint64(parsed.hard), 18446744073709551615n, 'RLIM_INFINITY survives JSON.parse');
  t.equal(toUint64(0), 0n);
  t.equal(toUint64(1048576), 1048576n);
  t.throws(() => toUint64(-1), RangeError);
  t.throws(() => toUint64(1.5), RangeError);
});

t.test('int64 from JSON', async (t) => {
  const parsed = JSON.parse('[9223372036854775807, -9223372036854775808, -1]') as number[];
  t.same(parsed.map(toInt64), [9223372036854775807n, -9223372036854775808n, -1n]);
  t.throws(() => toInt64(Number.NaN), RangeError);
});
