import { describe, expect, it } from 'vitest';
import { parseApparmorProfiles } from './host-security.js';

describe('parseApparmorProfiles', () => {
  it('reads the names of securityfs profile lines', () => {
    expect([...parseApparmorProfiles('docker-default (enforce)\n/usr/bin/man (complain)\nsnap.x (a b) (enforce)\n')]).toEqual([
      'docker-default',
      '/usr/bin/man',
      'snap.x (a b)',
    ]);
  });
});
