import { expect, it } from 'vitest';
import { naturalCompare } from './natural-order.js';

it('orders digit runs by value and the rest by bytes, as docker sorts names', () => {
  expect(['net10', 'none', 'Net3', 'net2', 'bridge', 'net1'].sort(naturalCompare)).toEqual(['Net3', 'bridge', 'net1', 'net2', 'net10', 'none']);
  expect(['8080/tcp -> [::]:1', '8080/tcp -> 0.0.0.0:1', '53/udp -> x', '9000/tcp -> y'].sort(naturalCompare)).toEqual([
    '53/udp -> x', '8080/tcp -> 0.0.0.0:1', '8080/tcp -> [::]:1', '9000/tcp -> y',
  ]);
});
