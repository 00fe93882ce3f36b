import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@berth/api';
import { parsePortKey, portRequests } from './port-bindings.js';

describe('parsePortKey', () => {
  it('reads a port with an optional protocol, tcp by default', () => {
    expect(parsePortKey('80')).toEqual({ port: 80, protocol: 'tcp' });
    expect(parsePortKey('80/tcp')).toEqual({ port: 80, protocol: 'tcp' });
    expect(parsePortKey('53/udp')).toEqual({ port: 53, protocol: 'udp' });
    expect(parsePortKey('9/SCTP')).toEqual({ port: 9, protocol: 'sctp' });
    expect(parsePortKey('65535/tcp')).toEqual({ port: 65535, protocol: 'tcp' });
  });

  it("refuses a bad port in moby's words, quoting the port", () => {
    for (const [key, quoted] of [['abc/tcp', 'abc'], ['0/tcp', '0'], ['65536', '65536'], ['-1', '-1'], ['', ''], ['80-90/tcp', '80-90']]) {
      expect(() => parsePortKey(key!), key).toThrow(InvalidArgumentError);
      expect(() => parsePortKey(key!), key).toThrow(`invalid port specification: "${quoted}"`);
    }
  });

  it('refuses an unknown protocol, quoting the whole key', () => {
    expect(() => parsePortKey('80/icmp')).toThrow('invalid port specification: "80/icmp"');
    expect(() => parsePortKey('80/tcp/x')).toThrow('invalid port specification: "80/tcp/x"');
  });
});

describe('portRequests', () => {
  it("reads Docker's HostConfig.PortBindings shape", () => {
    expect(portRequests({ '8080/tcp': [{ HostIp: '', HostPort: '18080' }] }, false, [])).toEqual([
      { containerPort: 8080, protocol: 'tcp', hostIp: '', hostPorts: [18080, 18080] },
    ]);
  });

  it('reads host port ranges, and an empty or "0" host port as any free port', () => {
    expect(portRequests({ '80/tcp': [{ HostPort: '8000-8010' }] }, false, [])).toEqual([{ containerPort: 80, protocol: 'tcp', hostIp: '', hostPorts: [8000, 8010] }]);
    expect(portRequests({ '80/tcp': [{ HostPort: '8000-8000' }] }, false, [])).toEqual([{ containerPort: 80, protocol: 'tcp', hostIp: '', hostPorts: [8000, 8000] }]);
    for (const binding of [{ HostIp: '', HostPort: '' }, { HostPort: '0' }, {}, null]) {
      expect(portRequests({ '80/tcp': [binding] }, false, []), JSON.stringify(binding)).toEqual([{ containerPort: 80, protocol: 'tcp', hostIp: '' }]);
    }
  });

  it('gives one request per binding, for udp too, with host IPs in canonical form', () => {
    expect(
      portRequests({ '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }, { HostIp: '[::1]', HostPort: '5353' }], '80/tcp': [{ HostIp: '0:0::0', HostPort: '8080' }] }, false, []),
    ).toEqual([
      { containerPort: 53, protocol: 'udp', hostIp: '127.0.0.1', hostPorts: [5353, 5353] },
      { containerPort: 53, protocol: 'udp', hostIp: '::1', hostPorts: [5353, 5353] },
      { containerPort: 80, protocol: 'tcp', hostIp: '::', hostPorts: [8080, 8080] },
    ]);
  });

  it('accepts no bindings at all', () => {
    expect(portRequests(undefined, false, ['80/tcp'])).toEqual([]);
    expect(portRequests(null, false, [])).toEqual([]);
    expect(portRequests({ '80/tcp': null }, false, [])).toEqual([]);
    expect(portRequests({ '80/tcp': [] }, false, [])).toEqual([]);
  });

  it('with -P, publishes each exposed port that has no binding, on any free port', () => {
    expect(portRequests({ '80/tcp': [{ HostPort: '8080' }] }, true, ['80/tcp', '443/tcp', '53/udp'])).toEqual([
      { containerPort: 80, protocol: 'tcp', hostIp: '', hostPorts: [8080, 8080] },
      { containerPort: 443, protocol: 'tcp', hostIp: '' },
      { containerPort: 53, protocol: 'udp', hostIp: '' },
    ]);
    expect(portRequests({}, true, ['80', '80/tcp'])).toEqual([{ containerPort: 80, protocol: 'tcp', hostIp: '' }]);
    expect(portRequests({ '80/tcp': [{ HostPort: '8080' }] }, false, ['443/tcp'])).toHaveLength(1);
  });

  it('with -P, publishes a port whose binding list is empty or null, as moby does', () => {
    expect(portRequests({ '80/tcp': [], '81/tcp': null }, true, ['80/tcp'])).toEqual([
      { containerPort: 80, protocol: 'tcp', hostIp: '' },
      { containerPort: 81, protocol: 'tcp', hostIp: '' },
    ]);
  });

  it('refuses bad host ports in moby words', () => {
    for (const hostPort of ['abc', '70000', '8010-8000', '1-2-3', '0-10', '-1', '80a']) {
      expect(() => portRequests({ '80/tcp': [{ HostPort: hostPort }] }, false, []), hostPort).toThrow(`invalid port specification: "${hostPort}"`);
    }
  });

  it('refuses bad host IPs, bad keys and bad shapes with a clear message', () => {
    expect(() => portRequests({ '80/tcp': [{ HostIp: 'localhost', HostPort: '80' }] }, false, [])).toThrow('invalid IP address: localhost');
    expect(() => portRequests({ '80/tcp': [{ HostIp: '[127.0.0.1', HostPort: '80' }] }, false, [])).toThrow('invalid IP address: [127.0.0.1');
    expect(() => portRequests({ 'x/tcp': [] }, false, [])).toThrow('invalid port specification: "x"');
    expect(() => portRequests({}, true, ['nope'])).toThrow('invalid port specification: "nope"');
    expect(() => portRequests([], false, [])).toThrow('invalid HostConfig.PortBindings: an object of port to bindings is expected');
    expect(() => portRequests('80:80', false, [])).toThrow(InvalidArgumentError);
    expect(() => portRequests({ '80/tcp': { HostPort: '80' } }, false, [])).toThrow('invalid HostConfig.PortBindings["80/tcp"]: a list of bindings is expected');
    expect(() => portRequests({ '80/tcp': [{ HostPort: 80 }] }, false, [])).toThrow('invalid HostConfig.PortBindings["80/tcp"]: HostIp and HostPort are strings');
  });
});
