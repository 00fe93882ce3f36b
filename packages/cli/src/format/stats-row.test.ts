import { describe, expect, it } from 'vitest';
import type { ContainerStatsResponse } from '@berth/api';
import { emptyStatsEntry, formatStats, invalidStatsEntry, statsEntry, statsFields, statsFrame } from './stats-row.js';

const ID = 'edd5b5d435783c4ddb6d985696d8f8b501e27cfa033d01c1d50667087cd4b542';

function sample(overrides: Partial<ContainerStatsResponse> & Record<string, unknown> = {}): ContainerStatsResponse {
  return {
    name: '/web',
    id: ID,
    read: '2026-01-01T00:00:01Z',
    preread: '2026-01-01T00:00:00Z',
    pids_stats: { current: 3 },
    cpu_stats: { cpu_usage: { total_usage: 3_000_000 }, system_cpu_usage: 20_000_000, online_cpus: 2 },
    precpu_stats: { cpu_usage: { total_usage: 1_000_000 }, system_cpu_usage: 10_000_000, online_cpus: 2 },
    memory_stats: { usage: 10 * 1024 * 1024, limit: 100 * 1024 * 1024, stats: { inactive_file: 2 * 1024 * 1024 } },
    blkio_stats: {
      io_service_bytes_recursive: [
        { major: 8, minor: 0, op: 'read', value: 4096 },
        { major: 8, minor: 0, op: 'Write', value: 1_500_000 },
        { major: 8, minor: 0, op: 'total', value: 1_504_096 },
      ],
    },
    ...overrides,
  } as ContainerStatsResponse;
}

describe('stats entries and fields, as docker computes them', () => {
  it('takes CPU between the two samples, memory without inactive files, networks summed, block I/O by op', () => {
    const networks = { eth0: { rx_bytes: 1000, tx_bytes: 2000 }, eth1: { rx_bytes: 500, tx_bytes: 0 } };
    expect(statsFields(statsEntry('web', sample({ networks })), true)).toEqual({
      BlockIO: '4.1kB / 1.5MB',
      CPUPerc: '40.00%',
      Container: 'web',
      ID: ID.slice(0, 12),
      MemPerc: '8.00%',
      MemUsage: '8MiB / 100MiB',
      Name: 'web',
      NetIO: '1.5kB / 2kB',
      PIDs: '3',
    });
  });

  it('keeps the full ID with --no-trunc and shows a stopped container (no numbers from the daemon) as zeroes', () => {
    const stopped = { name: '/old', id: ID, read: '0001-01-01T00:00:00Z', preread: '0001-01-01T00:00:00Z' } as ContainerStatsResponse;
    expect(statsFields(statsEntry(ID.slice(0, 12), stopped), false)).toMatchObject({ ID, CPUPerc: '0.00%', MemUsage: '0B / 0B', MemPerc: '0.00%', PIDs: '0' });
  });

  it('shows -- for a failed or stalled container and for a name not known yet', () => {
    const invalid = invalidStatsEntry(statsEntry('web', sample()));
    expect(statsFields(invalid, true)).toEqual({
      BlockIO: '--',
      CPUPerc: '--',
      Container: 'web',
      ID: ID.slice(0, 12),
      MemPerc: '--',
      MemUsage: '-- / --',
      Name: 'web',
      NetIO: '--',
      PIDs: '--',
    });
    expect(statsFields(emptyStatsEntry('nope'), true)).toMatchObject({ Name: '--', ID: '' });
  });
});

describe('stats output', () => {
  const entries = [statsEntry('web', sample())];

  it("writes docker's default table, a custom table, a template and json", () => {
    expect(formatStats(entries, 'table', true)).toBe(
      'CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT   MEM %     NET I/O   BLOCK I/O       PIDS\n' +
        'edd5b5d43578   web       40.00%    8MiB / 100MiB       8.00%     0B / 0B   4.1kB / 1.5MB   3\n',
    );
    expect(formatStats(entries, 'table {{.Container}}\\t{{.CPUPerc}}', true)).toBe('CONTAINER   CPU %\nweb         40.00%\n');
    expect(formatStats(entries, '{{.Name}}: {{.MemPerc}}', true)).toBe('web: 8.00%\n');
    expect(formatStats(entries, 'json', true)).toBe(
      '{"BlockIO":"4.1kB / 1.5MB","CPUPerc":"40.00%","Container":"web","ID":"edd5b5d43578","MemPerc":"8.00%","MemUsage":"8MiB / 100MiB","Name":"web","NetIO":"0B / 0B","PIDs":"3"}\n',
    );
  });

  it('paints a live frame: home, each line erased to its end, then everything below erased', () => {
    expect(statsFrame('A\nB\n')).toBe('\x1b[HA\x1b[K\nB\x1b[K\n\x1b[K\n\x1b[J');
  });
});
