import { describe, expect, it } from 'vitest';
import type { ContainerSummary, ImageSummary } from '@berth/api';
import { CONTAINER_HEADERS, DEFAULT_CONTAINER_TABLE, containerFields, containerTableRows } from './container-table.js';
import { formatList } from './list-format.js';
import { imageTableRows } from './image-table.js';
import { formatTable } from './tabwriter.js';

const NOW = 1_700_000_000_000;
const nowSeconds = NOW / 1000;

function image(overrides: Partial<ImageSummary>): ImageSummary {
  return {
    Id: 'sha256:beae173ccac6ad749f76713cf4440fe3d21d1043fe616dfbe30775815d1d0f6a',
    ParentId: '',
    RepoTags: [],
    RepoDigests: [],
    Created: nowSeconds - 90,
    Size: 4_261_000,
    SharedSize: -1,
    Labels: {},
    Containers: -1,
    ...overrides,
  };
}

function container(overrides: Partial<ContainerSummary>): ContainerSummary {
  return {
    Id: '4f1b6e2f3a9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e',
    Names: ['/web'],
    Image: 'busybox',
    ImageID: 'sha256:beae173ccac6ad749f76713cf4440fe3d21d1043fe616dfbe30775815d1d0f6a',
    Command: 'sleep 3600',
    Created: nowSeconds - 5,
    Ports: [],
    Labels: {},
    State: 'running',
    Status: 'Up 4 seconds',
    HostConfig: { NetworkMode: 'bridge' },
    NetworkSettings: {},
    Mounts: [],
    ...overrides,
  };
}

describe('docker images table', () => {
  it('prints one row per tag with short id, age and SI size', () => {
    const images = [
      image({ RepoTags: ['busybox:latest', 'localhost:5000/busybox:1.36'] }),
      image({ Id: 'sha256:0123456789abcdef0123', Created: nowSeconds - 3 * 86400 * 365, Size: 77_800_000 }),
      image({ RepoDigests: ['docker.io/library/alpine@sha256:aaaa'], Created: nowSeconds - 7200 }),
    ];
    expect(formatTable(imageTableRows(images, NOW))).toBe(
      [
        'REPOSITORY               TAG       IMAGE ID       CREATED              SIZE',
        'busybox                  latest    beae173ccac6   About a minute ago   4.26MB',
        'localhost:5000/busybox   1.36      beae173ccac6   About a minute ago   4.26MB',
        '<none>                   <none>    0123456789ab   3 years ago          77.8MB',
        'alpine                   <none>    beae173ccac6   2 hours ago          4.26MB',
        '',
      ].join('\n'),
    );
  });
});

describe('docker ps table', () => {
  it('prints the docker columns with a quoted, truncated command', () => {
    const containers = [
      container({}),
      container({
        Id: 'ffff6e2f3a9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e',
        Names: ['/other/alias', '/db'],
        Image: 'sha256:beae173ccac6ad749f76713cf4440fe3d21d1043fe616dfbe30775815d1d0f6a',
        Command: "sh -c 'while true; do sleep 1; done'",
        Created: nowSeconds - 3600,
        Status: 'Exited (0) 2 minutes ago',
        Ports: [{ PrivatePort: 80, Type: 'tcp' }],
      }),
    ];
    expect(formatTable(containerTableRows(containers, { truncate: true, now: NOW }))).toBe(
      [
        'CONTAINER ID   IMAGE          COMMAND                  CREATED             STATUS                     PORTS     NAMES',
        '4f1b6e2f3a9c   busybox        "sleep 3600"             5 seconds ago       Up 4 seconds                         web',
        'ffff6e2f3a9c   beae173ccac6   "sh -c \'while true; …"   About an hour ago   Exited (0) 2 minutes ago   80/tcp    db',
        '',
      ].join('\n'),
    );
  });

  it('prints full ids, commands and all names with --no-trunc', () => {
    const [, row] = containerTableRows([container({ Names: ['/a/b', '/b'], Image: 'busybox@sha256:abc', Command: 'x'.repeat(30) })], {
      truncate: false,
      now: NOW,
    });
    expect(row[0]).toHaveLength(64);
    expect(row[1]).toBe('busybox@sha256:abc');
    expect(row[2]).toBe(`"${'x'.repeat(30)}"`);
    expect(row[6]).toBe('a/b,b');
  });

  it('prints only the header when there are no containers', () => {
    expect(formatTable(containerTableRows([], { truncate: true, now: NOW }))).toBe(
      'CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n',
    );
  });
});

describe('docker ps --format', () => {
  const mounted = container({
    Labels: { 'com.example.team-name': 'blue', b: '2' },
    Mounts: [{ Type: 'volume', Name: 'a-rather-long-volume-name', Source: '/x', Destination: '/d', Driver: 'local', Mode: '', RW: true, Propagation: '' }],
    NetworkSettings: { Networks: { zeta: {}, alpha: {} } } as ContainerSummary['NetworkSettings'],
    SizeRw: 12,
    SizeRootFs: 4_261_000,
  });

  it('renders docker\'s fields: mounts cut to 15 columns, networks sorted, labels in key order, size with the virtual size', () => {
    const rows = [containerFields(mounted, { truncate: true, now: NOW })];
    expect(formatList(rows, '{{.Mounts}}|{{.LocalVolumes}}|{{.Networks}}|{{.Labels}}|{{.Size}}|{{.Label "b"}}', CONTAINER_HEADERS, DEFAULT_CONTAINER_TABLE)).toBe(
      'a-rather-long-…|1|alpha,zeta|b=2,com.example.team-name=blue|12B (virtual 4.26MB)|2\n',
    );
    expect(formatList(rows, 'table {{.Names}}\\t{{.Label "com.example.team-name"}}', CONTAINER_HEADERS, DEFAULT_CONTAINER_TABLE)).toBe('NAMES     team name\nweb       blue\n');
    expect(formatList(rows, 'table', CONTAINER_HEADERS, DEFAULT_CONTAINER_TABLE).split('\n')[0]).toBe('CONTAINER ID   IMAGE     COMMAND        CREATED         STATUS         PORTS     NAMES');
    expect(JSON.parse(formatList(rows, 'json', CONTAINER_HEADERS, DEFAULT_CONTAINER_TABLE))).toMatchObject({ Names: 'web', Platform: null, Command: '"sleep 3600"' });
  });
});
