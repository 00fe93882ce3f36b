import { Type, type TSchema } from '@sinclair/typebox';

// Pieces several Engine API schemas share; internal to the schemas, not API types of their own.

/** Objects stay open because clients send fields newer or older than ours, and Docker ignores what it does not know. */
export const open = { additionalProperties: true } as const;
export const StringMap = Type.Record(Type.String(), Type.String());
export const StringList = Type.Array(Type.String());

/** Go's JSON decoding reads `null` as "not set" for any field, so Docker's clients send it where a value is optional. */
export const orNull = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
export const NullableStringList = orNull(StringList);

/** moby's container.Resources fields we accept: part of HostConfig and of the update request. */
export const ResourceFields = {
  Memory: Type.Optional(Type.Integer()),
  MemorySwap: Type.Optional(Type.Integer()),
  NanoCpus: Type.Optional(Type.Integer()),
  CpuShares: Type.Optional(Type.Integer()),
  CpuQuota: Type.Optional(Type.Integer()),
  CpuPeriod: Type.Optional(Type.Integer()),
  PidsLimit: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
};
