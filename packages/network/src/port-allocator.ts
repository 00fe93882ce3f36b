import { ConflictError, UnavailableError } from '@berth/api';
import type { PortMapping, PortRequest, Protocol } from './port-bindings.js';

/** Whether nothing on the host listens on a port (the engine's own mappings are tracked apart). */
export interface PortProbe {
  isFree(hostIp: string, port: number, protocol: Protocol): Promise<boolean>;
  /** The kernel's ephemeral range (`ip_local_port_range`), where ports for `-P` come from. */
  ephemeralRange(): Promise<[number, number]>;
}

/** Two host addresses meet when equal or when either is every address of its family ('' is every address of both). */
function sameAddressSpace(a: string, b: string): boolean {
  if (a === b || a === '' || b === '') return true;
  const v6 = (ip: string) => ip.includes(':');
  if (v6(a) !== v6(b)) return false;
  return a === '0.0.0.0' || b === '0.0.0.0' || a === '::' || b === '::';
}

const displayIp = (ip: string) => (ip === '' ? '0.0.0.0' : ip);

/**
 * Host ports published by containers (moby's portallocator): a port a container holds is refused to
 * others, and one a host process listens on too; `-P` picks from the ephemeral range, moving forward.
 */
export class PortAllocator {
  private readonly held = new Map<string, PortMapping[]>();
  /** Where `-P` goes on from, per host address and protocol (moby's allocator keeps one per pair). */
  private readonly next = new Map<string, number>();

  constructor(private readonly probe: PortProbe) {}

  private takenBy(protocol: Protocol, hostIp: string, port: number): boolean {
    for (const mappings of this.held.values()) {
      if (mappings.some((m) => m.protocol === protocol && m.hostPort === port && sameAddressSpace(m.hostIp, hostIp))) return true;
    }
    return false;
  }

  /** Records mappings found on disk (a restart). */
  restore(owner: string, mappings: PortMapping[]): void {
    this.held.set(owner, mappings);
  }

  release(owner: string): void {
    this.held.delete(owner);
  }

  /**
   * Allocates every request for `owner`, all or nothing. Each port is held as soon as it is chosen,
   * so concurrent allocations never pick the same one.
   */
  async allocate(owner: string, requests: readonly PortRequest[]): Promise<PortMapping[]> {
    const mappings: PortMapping[] = [];
    this.held.set(owner, mappings);
    try {
      for (const request of requests) await this.allocateOne(request, mappings);
      return mappings;
    } catch (err) {
      this.held.delete(owner);
      throw err;
    }
  }

  /** Chooses a port for `request` and adds it to `mine`, where it stays held from the moment it is tried. */
  private async allocateOne(request: PortRequest, mine: PortMapping[]): Promise<void> {
    const { protocol, hostIp } = request;
    const fixed = request.hostPorts?.[0] === request.hostPorts?.[1] ? request.hostPorts?.[0] : undefined;
    const [low, high] = request.hostPorts ?? (await this.probe.ephemeralRange());
    const span = high - low + 1;
    const cursor = `${hostIp}/${protocol}`;
    const next = this.next.get(cursor);
    const start = request.hostPorts === undefined && next !== undefined && next >= low && next <= high ? next - low : 0;
    for (let i = 0; i < span; i++) {
      const port = low + ((start + i) % span);
      if (this.takenBy(protocol, hostIp, port)) continue;
      const mapping = { containerPort: request.containerPort, protocol, hostIp, hostPort: port };
      // Held before the probe awaits and kept once chosen, so a concurrent allocation never sees it free.
      mine.push(mapping);
      if (await this.probe.isFree(hostIp, port, protocol)) {
        if (request.hostPorts === undefined) this.next.set(cursor, port + 1);
        return;
      }
      mine.splice(mine.indexOf(mapping), 1);
      if (fixed !== undefined) break;
    }
    if (fixed !== undefined) throw new ConflictError(`Bind for ${displayIp(hostIp)}:${fixed} failed: port is already allocated`);
    throw new UnavailableError(`all ports are allocated in ${low}-${high} for ${displayIp(hostIp)}/${protocol}`);
  }
}
