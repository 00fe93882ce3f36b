import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { displayPorts, type PortSummary } from '../format/ports.js';
import type { PortMap } from '../port-specs.js';
import { portLines } from './port.js';

/** A container run on the reference dockerd with -p 18080:8080 -p 127.0.0.1::8081 -p 9000-9002:9000-9002 -p 53:53/udp --expose 7000, and docker CLI 28's output for it. */
const web = JSON.parse(readFileSync(new URL('../fixtures/reference-container-ports.json', import.meta.url), 'utf8')) as {
  NetworkSettingsPorts: PortMap;
  SummaryPorts: PortSummary[];
  ps: string;
  port: string;
  port8080: string;
  port53udp: string;
};

describe('berth port', () => {
  it('lists every binding as docker port does', () => {
    expect(`${portLines(web.NetworkSettingsPorts, 'web').join('\n')}\n`).toBe(web.port);
  });

  it('lists the bindings of one private port, tcp unless given', () => {
    expect(`${portLines(web.NetworkSettingsPorts, 'web', '8080').join('\n')}\n`).toBe(web.port8080);
    expect(`${portLines(web.NetworkSettingsPorts, 'web', '8080/tcp').join('\n')}\n`).toBe(web.port8080);
    expect(`${portLines(web.NetworkSettingsPorts, 'web', '53/udp').join('\n')}\n`).toBe(web.port53udp);
  });

  it.each([
    ['80', "Error: No public port '80' published for web"],
    ['7000', "Error: No public port '7000' published for web"],
    ['80/xyz', "Error: No public port '80/xyz' published for web"],
    ['abc/tcp', 'Error: invalid port (abc): strconv.ParseUint: parsing "abc": invalid syntax'],
    ['70000', 'Error: invalid port (70000): strconv.ParseUint: parsing "70000": value out of range'],
  ])('refuses %s with docker\'s message', (port, message) => {
    expect(() => portLines(web.NetworkSettingsPorts, 'web', port)).toThrow(message);
  });

  it('prints nothing for a container without ports', () => {
    expect(portLines(null, 'c')).toEqual([]);
  });
});

describe('ps PORTS column', () => {
  it('renders the reference container as docker ps does', () => {
    expect(`${displayPorts(web.SummaryPorts)}\n`).toBe(web.ps);
  });
});
