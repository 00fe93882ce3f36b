import { Type, type TSchema } from '@sinclair/typebox';

// Pieces several Engine API schemas share; internal to the schemas, not API types of their own.

/** Objects stay open because clients send fields newer or older than ours, and Docker ignores what it does not know. */
export const open = { additionalProperties: true } as const;
export const StringMap = Type.Record(Type.String(), Type.String());
export const StringList = Type.Array(Type.String());

/** Go's JSON decoding reads `null` as "not set" for any field, so Docker's clients send it where a value is optional. */
export const orNull = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
export const NullableStringList = orNull(StringList);

const NullableList = orNull(Type.Array(Type.Unknown()));

/**
 * moby's container.Resources fields: part of HostConfig and of the update request. Those from
 * CgroupParent on are not supported and are refused unless unset (unsupported-settings.ts in the daemon).
 */
export const ResourceFields = {
  Memory: Type.Optional(Type.Integer()),
  MemorySwap: Type.Optional(Type.Integer()),
  NanoCpus: Type.Optional(Type.Integer()),
  CpuShares: Type.Optional(Type.Integer()),
  CpuQuota: Type.Optional(Type.Integer()),
  CpuPeriod: Type.Optional(Type.Integer()),
  PidsLimit: Type.Optional(orNull(Type.Integer())),
  CgroupParent: Type.Optional(Type.String()),
  BlkioWeight: Type.Optional(Type.Integer()),
  BlkioWeightDevice: Type.Optional(NullableList),
  BlkioDeviceReadBps: Type.Optional(NullableList),
  BlkioDeviceWriteBps: Type.Optional(NullableList),
  BlkioDeviceReadIOps: Type.Optional(NullableList),
  BlkioDeviceWriteIOps: Type.Optional(NullableList),
  CpuRealtimePeriod: Type.Optional(Type.Integer()),
  CpuRealtimeRuntime: Type.Optional(Type.Integer()),
  CpusetCpus: Type.Optional(Type.String()),
  CpusetMems: Type.Optional(Type.String()),
  Devices: Type.Optional(NullableList),
  DeviceCgroupRules: Type.Optional(NullableStringList),
  DeviceRequests: Type.Optional(NullableList),
  KernelMemory: Type.Optional(Type.Integer()),
  KernelMemoryTCP: Type.Optional(Type.Integer()),
  MemoryReservation: Type.Optional(Type.Integer()),
  MemorySwappiness: Type.Optional(orNull(Type.Integer())),
  OomKillDisable: Type.Optional(orNull(Type.Boolean())),
  CpuCount: Type.Optional(Type.Integer()),
  CpuPercent: Type.Optional(Type.Integer()),
  IOMaximumIOps: Type.Optional(Type.Integer()),
  IOMaximumBandwidth: Type.Optional(Type.Integer()),
};

/** A terminal's initial size, `[height, width]` (HostConfig, exec create and exec start). */
export const ConsoleSize = orNull(
  Type.Array(Type.Integer({ minimum: 0 }), { minItems: 2, maxItems: 2, description: 'an array of two non-negative integers [height, width]' }),
);
