import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DriverRequest, DriverResult, NamespaceFiles, NetworkDriver } from './network-driver.js';
import { NetworkManager, type NetworkEvent } from './network-manager.js';
import type { HostInterface } from './network-options.js';
import type { NetworkRecord } from './network-record.js';
import type { PortProbe } from './port-allocator.js';

/**
 * The manager's bookkeeping over a recording driver: what it asks of the driver and when. The driver
 * itself (netavark) is proven against the real tool by e2e/src/network.test.ts.
 */
class RecordingDriver implements NetworkDriver {
  readonly calls: string[] = [];
  readonly bridges = new Map<string, HostInterface>();
  failSetup = false;
  /** Set to fail the next teardown after removing the bridge, as netavark does when only its DNS step failed. */
  failTeardownAfterBridge = false;
  /** Set to hold the next setup until released. */
  gate?: Promise<void>;

  async setup(netns: string, request: DriverRequest): Promise<DriverResult> {
    this.calls.push(`setup ${request.containerName}`);
    await this.gate;
    if (this.failSetup) throw new Error('setup failed');
    for (const e of request.endpoints) this.bridges.set(e.network.bridge!, { kind: 'bridge' });
    const interfaces = Object.fromEntries(request.endpoints.map((e) => [e.interfaceName, { macAddress: '02:00:00:00:00:01', addresses: e.addresses.map((a) => ({ cidr: `${a}/16` })) }]));
    return { interfaces, dnsServers: [] };
  }

  async teardown(_netns: string, request: DriverRequest): Promise<void> {
    this.calls.push(`teardown ${request.containerName}`);
    if (!this.failTeardownAfterBridge) return;
    this.failTeardownAfterBridge = false;
    for (const e of request.endpoints) this.bridges.delete(e.network.bridge!);
    throw new Error('network teardown failed: IO error: aardvark pid not found');
  }

  async holdBridge(network: NetworkRecord): Promise<void> {
    this.calls.push(`hold ${network.name}`);
    this.bridges.set(`bk-${network.id.slice(0, 12)}`, { kind: 'other', master: network.bridge! });
  }

  async releaseBridge(network: NetworkRecord): Promise<void> {
    this.calls.push(`release ${network.name}`);
    this.bridges.delete(`bk-${network.id.slice(0, 12)}`);
  }

  holdsBridge(network: NetworkRecord, interfaces: ReadonlyMap<string, HostInterface>): boolean {
    return interfaces.get(`bk-${network.id.slice(0, 12)}`)?.master === network.bridge;
  }
}

const namespaces: NamespaceFiles = { create: async () => undefined, remove: async () => undefined };
const ports: PortProbe = { isFree: async () => true, ephemeralRange: async () => [40000, 40010] };

describe('NetworkManager', () => {
  let root: string;
  let driver: RecordingDriver;
  let events: NetworkEvent[];
  let manager: NetworkManager;

  const open = (iptables = true) =>
    NetworkManager.open({
      stateDir: join(root, 'state'),
      runDir: join(root, 'run'),
      driver,
      namespaces,
      ports,
      hostRoutes: async () => [],
      interfaces: async () => driver.bridges,
      addressPools: [{ base: '172.17.0.0/16', size: 16 }, { base: '172.18.0.0/15', size: 16 }],
      defaultBridge: { interfaceName: 'berth0' },
      iptables,
      onEvent: (e) => events.push(e),
      log: { warn: () => undefined },
    });

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'berth-netmgr-'));
    driver = new RecordingDriver();
    events = [];
    manager = await open();
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const attach = (id: string, network = 'bridge') => manager.attach({ containerId: id.padEnd(64, '0'), containerName: id, endpoints: [{ network, aliases: [] }], ports: [], dnsServers: [] });

  it('gives addresses before the driver runs, and holds the bridge once it has', async () => {
    const first = await attach('a');
    expect(first.sandbox.endpoints[0]?.ipv4?.address).toBe('172.17.0.2');
    await first.ready;
    expect(manager.sandbox('a'.padEnd(64, '0'))?.endpoints[0]?.macAddress).toBe('02:00:00:00:00:01');
    await (await attach('b')).ready;
    expect(driver.calls).toEqual(['setup a', 'hold bridge', 'setup b']);
    expect(events.map((e) => `${e.action} ${e.network.name}`)).toEqual(['connect bridge', 'connect bridge']);
  });

  it('makes a detach wait for the setup under way, and a failed setup undo itself', async () => {
    let release!: () => void;
    driver.gate = new Promise((resolve) => (release = resolve));
    const { ready } = await attach('a');
    const detached = manager.detach('a'.padEnd(64, '0'));
    await Promise.resolve();
    expect(driver.calls).toEqual(['setup a']);
    release();
    await ready;
    await detached;
    expect(driver.calls).toEqual(['setup a', 'hold bridge', 'teardown a']);
    expect(manager.sandboxIds()).toEqual([]);

    driver.gate = undefined;
    driver.failSetup = true;
    const failing = await attach('b');
    await expect(failing.ready).rejects.toThrow('setup failed');
    expect(driver.calls.slice(-2)).toEqual(['setup b', 'teardown b']);
    expect(manager.sandboxIds()).toEqual([]);
  });

  it('takes a network out of reach before removing its bridge, and puts it back if that fails', async () => {
    const { Id } = await manager.create({ Name: 'app' });
    await (await attach('a', 'app')).ready;
    await manager.detach('a'.padEnd(64, '0'));
    driver.calls.length = 0;
    let release!: () => void;
    driver.gate = new Promise((resolve) => (release = resolve));
    const removing = manager.remove('app');
    while (!driver.calls.includes('setup berth-purge')) await new Promise((resolve) => setImmediate(resolve));
    // Halfway through the bridge's removal, nothing can join the network.
    await expect(attach('late', 'app')).rejects.toThrow('network app not found');
    release();
    driver.gate = undefined;
    await removing;
    expect(driver.calls).toEqual(['release app', 'setup berth-purge', 'teardown berth-purge']);
    expect(manager.find(Id)).toBeUndefined();

    await manager.create({ Name: 'kept' });
    await (await attach('k', 'kept')).ready;
    await manager.detach('k'.padEnd(64, '0'));
    driver.failSetup = true;
    await expect(manager.remove('kept')).rejects.toThrow(/removing the bridge br-[0-9a-f]{12} of network kept: setup failed/);
    expect(manager.find('kept')?.name).toBe('kept');
    expect(driver.calls.slice(-2)).toEqual(['teardown berth-purge', 'hold kept']);

    // A teardown that failed after removing the bridge did the work: the network goes.
    driver.failSetup = false;
    driver.failTeardownAfterBridge = true;
    await manager.remove('kept');
    expect(manager.find('kept')).toBeUndefined();
    expect(driver.calls.slice(-2)).toEqual(['setup berth-purge', 'teardown berth-purge']);
  });

  it('leaves alone a bridge it does not hold, and keeps concurrent creations apart', async () => {
    const { Id } = await manager.create({ Name: 'never-used' });
    await manager.remove(Id);
    expect(driver.calls).toEqual([]);
    const made = await Promise.all(['x', 'x', 'y'].map((name) => manager.create({ Name: name }).catch((err: Error) => err.message)));
    expect(made.filter((m) => typeof m === 'string')).toEqual(['network with name x already exists']);
    const subnets = manager.list({}).flatMap((n) => n.IPAM.Config.map((c) => c.Subnet));
    expect(new Set(subnets).size).toBe(subnets.length);
  });
});
