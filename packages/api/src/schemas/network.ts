import { Type, type Static } from '@sinclair/typebox';
import { NullableStringList, StringMap, open, orNull } from './fragments.js';
import { QueryBool } from './query.js';

/** Engine API network shapes (v1.47). */

// Clients that send each field (the Docker SDK for Python sends IPRange and Gateway as null when unset)
// get Go's reading of null: the zero value.
export const IpamPoolSchema = Type.Object(
  {
    Subnet: Type.Optional(orNull(Type.String())),
    IPRange: Type.Optional(orNull(Type.String())),
    Gateway: Type.Optional(orNull(Type.String())),
    AuxiliaryAddresses: Type.Optional(orNull(StringMap)),
  },
  open,
);
export type IpamPool = Static<typeof IpamPoolSchema>;

export const IpamSchema = Type.Object(
  {
    Driver: Type.Optional(Type.String()),
    Config: Type.Optional(orNull(Type.Array(IpamPoolSchema))),
    Options: Type.Optional(orNull(StringMap)),
  },
  open,
);
export type Ipam = Static<typeof IpamSchema>;

export const NetworkCreateRequestSchema = Type.Object(
  {
    Name: Type.String(),
    CheckDuplicate: Type.Optional(Type.Boolean()),
    Driver: Type.Optional(Type.String()),
    Scope: Type.Optional(Type.String()),
    Internal: Type.Optional(Type.Boolean()),
    Attachable: Type.Optional(Type.Boolean()),
    Ingress: Type.Optional(Type.Boolean()),
    ConfigOnly: Type.Optional(Type.Boolean()),
    ConfigFrom: Type.Optional(orNull(Type.Object({ Network: Type.Optional(Type.String()) }, open))),
    IPAM: Type.Optional(orNull(IpamSchema)),
    EnableIPv4: Type.Optional(orNull(Type.Boolean())),
    EnableIPv6: Type.Optional(orNull(Type.Boolean())),
    Options: Type.Optional(orNull(StringMap)),
    Labels: Type.Optional(orNull(StringMap)),
  },
  open,
);
export type NetworkCreateRequest = Static<typeof NetworkCreateRequestSchema>;

/** What a client asks of one endpoint: at create (NetworkingConfig.EndpointsConfig) and on connect. */
export const EndpointRequestSchema = Type.Object(
  {
    IPAMConfig: Type.Optional(
      orNull(
        Type.Object(
          {
            IPv4Address: Type.Optional(Type.String()),
            IPv6Address: Type.Optional(Type.String()),
            LinkLocalIPs: Type.Optional(NullableStringList),
          },
          open,
        ),
      ),
    ),
    Links: Type.Optional(NullableStringList),
    Aliases: Type.Optional(NullableStringList),
    DriverOpts: Type.Optional(orNull(StringMap)),
    MacAddress: Type.Optional(Type.String()),
    NetworkID: Type.Optional(Type.String()),
    EndpointID: Type.Optional(Type.String()),
    Gateway: Type.Optional(Type.String()),
    IPAddress: Type.Optional(Type.String()),
    IPPrefixLen: Type.Optional(Type.Integer()),
    IPv6Gateway: Type.Optional(Type.String()),
    GlobalIPv6Address: Type.Optional(Type.String()),
    GlobalIPv6PrefixLen: Type.Optional(Type.Integer()),
    GwPriority: Type.Optional(Type.Integer()),
    DNSNames: Type.Optional(NullableStringList),
  },
  open,
);
export type EndpointRequest = Static<typeof EndpointRequestSchema>;

export const NetworkingConfigSchema = Type.Object({ EndpointsConfig: Type.Optional(orNull(Type.Record(Type.String(), orNull(EndpointRequestSchema)))) }, open);
export type NetworkingConfig = Static<typeof NetworkingConfigSchema>;

export const NetworkConnectRequestSchema = Type.Object({ Container: Type.String(), EndpointConfig: Type.Optional(orNull(EndpointRequestSchema)) }, open);
export type NetworkConnectRequest = Static<typeof NetworkConnectRequestSchema>;

export const NetworkDisconnectRequestSchema = Type.Object({ Container: Type.String(), Force: Type.Optional(Type.Boolean()) }, open);
export type NetworkDisconnectRequest = Static<typeof NetworkDisconnectRequestSchema>;

export const NetworkInspectQuerySchema = Type.Object({ verbose: Type.Optional(QueryBool), scope: Type.Optional(Type.String()) }, open);
export type NetworkInspectQuery = Static<typeof NetworkInspectQuerySchema>;

/** One container on a network, as `GET /networks/{id}` lists it. */
export interface NetworkContainer {
  Name: string;
  EndpointID: string;
  MacAddress: string;
  IPv4Address: string;
  IPv6Address: string;
}

/** A network as Docker describes it (moby's network.Inspect), in Docker's field order. */
export interface NetworkResource {
  Name: string;
  Id: string;
  Created: string;
  Scope: string;
  Driver: string;
  EnableIPv4: boolean;
  EnableIPv6: boolean;
  IPAM: { Driver: string; Options: Record<string, string> | null; Config: Array<{ Subnet: string; IPRange?: string; Gateway?: string; AuxiliaryAddresses?: Record<string, string> }> };
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  ConfigFrom: { Network: string };
  ConfigOnly: boolean;
  Containers: Record<string, NetworkContainer>;
  Options: Record<string, string>;
  Labels: Record<string, string>;
}

export interface NetworkCreateResponse {
  Id: string;
  Warning: string;
}

export interface NetworkPruneResponse {
  NetworksDeleted: string[] | null;
}
