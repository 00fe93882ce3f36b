import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { ContainerCreateRequestSchema } from './schemas/container.js';
import { ContainerListQuerySchema, ContainerWaitQuerySchema } from './schemas/container-requests.js';
import { ExecCreateRequestSchema, ExecStartRequestSchema } from './schemas/exec.js';
import { NetworkCreateRequestSchema } from './schemas/network.js';
import { IdParamsSchema } from './schemas/query.js';
import { VolumeCreateRequestSchema } from './schemas/volume.js';
import { REQUEST_PART_SUBJECTS, assertMatchesSchema, describeViolation, findViolation, optionalBody } from './validation.js';

const body = (schema: Parameters<typeof findViolation>[0], value: unknown) => {
  const violation = findViolation(optionalBody(schema), value);
  return violation && describeViolation(REQUEST_PART_SUBJECTS.body, violation);
};

describe('request validation', () => {
  it('refuses a string where a boolean is expected (a truthy "false" once granted every capability)', () => {
    expect(body(ExecCreateRequestSchema, { Cmd: ['id'], Privileged: 'false' })).toBe(
      'invalid request body: Privileged must be a boolean or null, not the string "false"',
    );
    expect(body(ExecCreateRequestSchema, { Cmd: ['id'], Privileged: false })).toBeUndefined();
  });

  it("accepts what Docker's clients send: nulls, empty bodies, unknown fields", () => {
    expect(body(ExecCreateRequestSchema, null)).toBeUndefined();
    expect(body(ExecCreateRequestSchema, { Cmd: ['sh'], Env: null, User: '', WorkingDir: null, ConsoleSize: [24, 80], Detach: false, Container: 'x' })).toBeUndefined();
    expect(body(ExecStartRequestSchema, { Detach: false, Tty: true, ConsoleSize: null })).toBeUndefined();
    expect(body(VolumeCreateRequestSchema, { Name: null, Driver: null, DriverOpts: {}, Labels: null })).toBeUndefined();
    // The Docker SDK for Python's IPAMPool and IPAMConfig, with only a subnet given.
    const ipam = { Driver: 'default', Config: [{ Subnet: '10.1.0.0/24', IPRange: null, Gateway: null, AuxiliaryAddresses: null }], Options: null };
    const healthcheck = { Test: ['CMD', 'true'], Interval: 1e9, Timeout: null, Retries: null, StartPeriod: null };
    expect(body(ContainerCreateRequestSchema, { Image: 'busybox', Healthcheck: healthcheck })).toBeUndefined();
    const tmpfs = { Target: '/x', Source: null, Type: 'tmpfs', ReadOnly: false, TmpfsOptions: { SizeBytes: 1048576 } };
    expect(body(ContainerCreateRequestSchema, { Image: 'busybox', HostConfig: { Mounts: [tmpfs] } })).toBeUndefined();
    expect(body(NetworkCreateRequestSchema, { Name: 'n', Driver: 'bridge', IPAM: ipam, Options: null, Labels: null })).toBeUndefined();
  });

  it('names the failing field inside arrays and nested unions', () => {
    expect(body(ExecCreateRequestSchema, { Cmd: ['sh', 1] })).toBe('invalid request body: Cmd[1] must be a string, not the number 1');
    expect(body(ExecCreateRequestSchema, { Cmd: 'sh -c id' })).toBe('invalid request body: Cmd must be an array of strings or null, not the string "sh -c id"');
    expect(body(ExecCreateRequestSchema, { ConsoleSize: [24] })).toBe(
      'invalid request body: ConsoleSize must be an array of two non-negative integers [height, width], not an array',
    );
    expect(body(ContainerCreateRequestSchema, { Image: 'busybox', HostConfig: { Privileged: 'yes' } })).toBe(
      'invalid request body: HostConfig.Privileged must be a boolean, not the string "yes"',
    );
    expect(body(VolumeCreateRequestSchema, { Labels: { a: 1 } })).toBe('invalid request body: Labels.a must be a string, not the number 1');
  });

  it('describes a body of the wrong JSON type', () => {
    expect(body(ExecCreateRequestSchema, ['id'])).toBe('invalid request body: must be an object or null, not an array');
    expect(body(ExecCreateRequestSchema, 'id')).toBe('invalid request body: must be an object or null, not the string "id"');
  });

  it("takes Docker's query booleans and integers as strings", () => {
    const query = (value: unknown) => {
      const violation = findViolation(ContainerListQuerySchema, value);
      return violation && describeViolation(REQUEST_PART_SUBJECTS.querystring, violation);
    };
    for (const all of ['', '0', '1', 'true', 'True', 'false', 'FALSE', 'no', 'none']) expect(query({ all })).toBeUndefined();
    expect(query({ all: 'maybe' })).toBe('invalid query parameter: all must be a boolean (1, true, 0 or false), not the string "maybe"');
    expect(query({ limit: '10', filters: '{"status":["running"]}' })).toBeUndefined();
    expect(query({ limit: 'ten' })).toBe('invalid query parameter: limit must be an integer, not the string "ten"');
    expect(findViolation(ContainerWaitQuerySchema, { condition: 'later' })).toMatchObject({ path: '/condition' });
  });

  it('refuses control characters in path parameters', () => {
    expect(findViolation(IdParamsSchema, { id: 'box' })).toBeUndefined();
    expect(() => assertMatchesSchema(IdParamsSchema, { id: 'a\u0000b' }, REQUEST_PART_SUBJECTS.params)).toThrow(
      'invalid path parameter: id must be a name or ID, not the string "a\\u0000b"',
    );
  });

  it('says which required field is missing', () => {
    const schema = Type.Object({ Name: Type.String() });
    expect(() => assertMatchesSchema(schema, {}, 'invalid thing')).toThrow('invalid thing: Name is required (a string)');
  });
});
