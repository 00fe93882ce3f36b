import type { EndpointRequest, NetworkCreateRequest, NetworkCreateResponse, NetworkPruneResponse, NetworkResource } from '@berth/api';
import type { NetworkManager } from '@berth/network';
import type { ContainerLifecycle } from '../container/lifecycle-service.js';
import type { EngineEvents } from '../events/engine-events.js';

export interface NetworkApiOptions {
  manager: Pick<NetworkManager, 'list' | 'inspect' | 'create' | 'remove' | 'prune'>;
  lifecycle: Pick<ContainerLifecycle, 'connectNetwork' | 'disconnectNetwork'>;
  events: Pick<EngineEvents, 'pruned'>;
}

/** The `/networks` routes' service: the network manager, and containers joining and leaving networks. */
export class NetworkApi {
  constructor(private readonly o: NetworkApiOptions) {}

  list(filters: Record<string, string[]>): NetworkResource[] {
    return this.o.manager.list(filters);
  }

  inspect(ref: string): NetworkResource {
    return this.o.manager.inspect(ref);
  }

  create(request: NetworkCreateRequest): Promise<NetworkCreateResponse> {
    return this.o.manager.create(request);
  }

  remove(ref: string): Promise<void> {
    return this.o.manager.remove(ref);
  }

  async prune(filters: Record<string, string[]>): Promise<NetworkPruneResponse> {
    const pruned = await this.o.manager.prune(filters);
    this.o.events.pruned('network', 0);
    return pruned;
  }

  connect(network: string, container: string, settings: EndpointRequest | null | undefined): Promise<void> {
    return this.o.lifecycle.connectNetwork(container, network, settings);
  }

  disconnect(network: string, container: string): Promise<void> {
    return this.o.lifecycle.disconnectNetwork(container, network);
  }
}
