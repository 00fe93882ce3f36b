import { describe, expect, it } from 'vitest';
import { ConflictError, UnavailableError } from '@berth/api';
import { PortAllocator, type PortProbe } from './port-allocator.js';
import type { PortRequest, Protocol } from './port-bindings.js';

/** A host where `busy` ports (any address, any protocol) have a listener; every answer comes a few microtasks late. */
function fakeProbe(busy: number[] = [], range: [number, number] = [49153, 49160]): PortProbe & { asked: number[] } {
  const asked: number[] = [];
  const later = async <T>(value: T): Promise<T> => {
    for (let i = 0; i < 3; i++) await Promise.resolve();
    return value;
  };
  return {
    asked,
    isFree: (_ip: string, port: number, _protocol: Protocol) => {
      asked.push(port);
      return later(!busy.includes(port));
    },
    ephemeralRange: () => later(range),
  };
}

const fixed = (hostPort: number, hostIp = '', protocol: Protocol = 'tcp', containerPort = 80): PortRequest => ({ containerPort, protocol, hostIp, hostPorts: [hostPort, hostPort] });
const any = (hostIp = '', protocol: Protocol = 'tcp', containerPort = 80): PortRequest => ({ containerPort, protocol, hostIp });
const ports = (mappings: Array<{ hostPort: number }>) => mappings.map((m) => m.hostPort);

describe('PortAllocator', () => {
  it('gives a fixed port, then refuses it to another container in moby words', async () => {
    const allocator = new PortAllocator(fakeProbe());
    expect(await allocator.allocate('a', [fixed(18080)])).toEqual([{ containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: 18080 }]);
    const refused = allocator.allocate('b', [fixed(18080)]);
    await expect(refused).rejects.toThrow(ConflictError);
    await expect(allocator.allocate('b', [fixed(18080)])).rejects.toThrow('Bind for 0.0.0.0:18080 failed: port is already allocated');
    await expect(allocator.allocate('b', [fixed(18080, '127.0.0.1')])).rejects.toThrow('Bind for 127.0.0.1:18080 failed: port is already allocated');
  });

  it('keeps protocols apart', async () => {
    const allocator = new PortAllocator(fakeProbe());
    await allocator.allocate('a', [fixed(5353, '', 'tcp')]);
    expect(ports(await allocator.allocate('b', [fixed(5353, '', 'udp')]))).toEqual([5353]);
    await expect(allocator.allocate('c', [fixed(5353, '', 'udp')])).rejects.toThrow('port is already allocated');
  });

  it("sees 0.0.0.0 and '' meet every IPv4 address, :: every IPv6 one, and distinct addresses not meet", async () => {
    const cases: Array<[string, string, boolean]> = [
      ['', '127.0.0.1', true],
      ['', '::1', true],
      ['0.0.0.0', '127.0.0.1', true],
      ['127.0.0.1', '0.0.0.0', true],
      ['0.0.0.0', '0.0.0.0', true],
      ['::', '::1', true],
      ['::1', '', true],
      ['127.0.0.1', '127.0.0.2', false],
      ['0.0.0.0', '::', false],
      ['0.0.0.0', '::1', false],
      ['::', '127.0.0.1', false],
    ];
    for (const [first, second, conflict] of cases) {
      const allocator = new PortAllocator(fakeProbe());
      await allocator.allocate('a', [fixed(8080, first)]);
      const result = allocator.allocate('b', [fixed(8080, second)]);
      if (conflict) await expect(result, `${first} then ${second}`).rejects.toThrow(ConflictError);
      else expect(ports(await result), `${first} then ${second}`).toEqual([8080]);
    }
  });

  it('refuses a fixed port a host process holds, without trying others', async () => {
    const probe = fakeProbe([18080]);
    const allocator = new PortAllocator(probe);
    await expect(allocator.allocate('a', [fixed(18080)])).rejects.toThrow('Bind for 0.0.0.0:18080 failed: port is already allocated');
    expect(probe.asked).toEqual([18080]);
  });

  it('picks ephemeral ports moving forward, skipping host-held and allocated ones, and wraps around; each protocol has its own cursor (moby)', async () => {
    const allocator = new PortAllocator(fakeProbe([49154], [49153, 49157]));
    expect(ports(await allocator.allocate('a', [any()]))).toEqual([49153]);
    expect(ports(await allocator.allocate('b', [any(), any()]))).toEqual([49155, 49156]);
    allocator.release('a');
    expect(ports(await allocator.allocate('c', [any()]))).toEqual([49157]);
    expect(ports(await allocator.allocate('d', [any()]))).toEqual([49153]);
    await expect(allocator.allocate('e', [any('', 'tcp')])).rejects.toThrow(UnavailableError);
    await expect(allocator.allocate('e', [any('', 'tcp')])).rejects.toThrow('all ports are allocated in 49153-49157 for 0.0.0.0/tcp');
    expect(ports(await allocator.allocate('f', [any('', 'udp')]))).toEqual([49153]);
  });

  it('picks the first free port of a host port range', async () => {
    const allocator = new PortAllocator(fakeProbe([8001]));
    expect(ports(await allocator.allocate('a', [{ ...any(), hostPorts: [8000, 8002] }]))).toEqual([8000]);
    expect(ports(await allocator.allocate('b', [{ ...any(), hostPorts: [8000, 8002] }]))).toEqual([8002]);
    await expect(allocator.allocate('c', [{ ...any(), hostPorts: [8000, 8002] }])).rejects.toThrow('all ports are allocated in 8000-8002 for 0.0.0.0/tcp');
  });

  it('gives one container two bindings of the same port on distinct addresses, not on the same', async () => {
    const allocator = new PortAllocator(fakeProbe());
    expect(ports(await allocator.allocate('a', [fixed(8080, '127.0.0.1'), fixed(8080, '::1')]))).toEqual([8080, 8080]);
    await expect(allocator.allocate('b', [fixed(9090), fixed(9090)])).rejects.toThrow('Bind for 0.0.0.0:9090 failed: port is already allocated');
  });

  it('holds nothing when one request of several fails', async () => {
    const allocator = new PortAllocator(fakeProbe());
    await allocator.allocate('a', [fixed(8081)]);
    await expect(allocator.allocate('b', [fixed(8080), fixed(8081)])).rejects.toThrow('Bind for 0.0.0.0:8081 failed');
    expect(ports(await allocator.allocate('c', [fixed(8080)]))).toEqual([8080]);
  });

  it('frees a released owner\'s ports and holds restored ones', async () => {
    const allocator = new PortAllocator(fakeProbe());
    allocator.restore('a', [{ containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: 8080 }]);
    await expect(allocator.allocate('b', [fixed(8080)])).rejects.toThrow('port is already allocated');
    allocator.release('a');
    expect(ports(await allocator.allocate('b', [fixed(8080)]))).toEqual([8080]);
  });

  it('never gives the same port to concurrent allocations', async () => {
    const allocator = new PortAllocator(fakeProbe([49155], [49153, 49160]));
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => allocator.allocate(`c${i}`, [any(), any()]).catch(() => [])));
    const all = results.flatMap(ports);
    expect(new Set(all).size).toBe(all.length);
    expect(all).not.toContain(49155);
    // Seven free ports: three containers get their two, the others none (all or nothing).
    expect(results.map((r) => r.length).sort()).toEqual([0, 0, 0, 2, 2, 2]);
  });

  it('gives a fixed port to one of several concurrent allocations, however their steps interleave', async () => {
    for (let delay = 0; delay < 12; delay++) {
      const allocator = new PortAllocator(fakeProbe());
      const first = allocator.allocate('a', [fixed(18080)]);
      for (let i = 0; i < delay; i++) await Promise.resolve();
      const second = allocator.allocate('b', [fixed(18080)]);
      const outcomes = await Promise.allSettled([first, second]);
      expect(outcomes.filter((o) => o.status === 'fulfilled'), `second started ${delay} microtasks later`).toHaveLength(1);
    }
  });
});
