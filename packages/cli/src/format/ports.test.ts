import { describe, expect, it } from 'vitest';
import { displayPorts } from './ports.js';

describe('displayPorts', () => {
  it('is empty without ports', () => {
    expect(displayPorts([])).toBe('');
  });

  it('prints exposed ports and same-port bindings, merging consecutive ports into ranges', () => {
    expect(
      displayPorts([
        { PrivatePort: 8001, Type: 'tcp', IP: '0.0.0.0', PublicPort: 8001 },
        { PrivatePort: 8000, Type: 'tcp', IP: '0.0.0.0', PublicPort: 8000 },
        { PrivatePort: 53, Type: 'udp' },
        { PrivatePort: 80, Type: 'tcp', IP: '::', PublicPort: 80 },
      ]),
    ).toBe('53/udp, [::]:80->80/tcp, 0.0.0.0:8000-8001->8000-8001/tcp');
  });

  it('lists bindings to another host port last', () => {
    expect(
      displayPorts([
        { PrivatePort: 80, Type: 'tcp', IP: '0.0.0.0', PublicPort: 8080 },
        { PrivatePort: 443, Type: 'tcp' },
      ]),
    ).toBe('443/tcp, 0.0.0.0:8080->80/tcp');
  });

  it('closes a range at a gap', () => {
    expect(
      displayPorts([
        { PrivatePort: 1, Type: 'tcp' },
        { PrivatePort: 2, Type: 'tcp' },
        { PrivatePort: 5, Type: 'tcp' },
      ]),
    ).toBe('1-2/tcp, 5/tcp');
  });
});
