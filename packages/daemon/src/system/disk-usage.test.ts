import { InvalidArgumentError, type ContainerSummary, type ImageSummary, type Volume } from '@berth/api';
import { describe, expect, it } from 'vitest';
import { DiskUsageService } from './disk-usage.js';

const image = (Id: string, Size: number): ImageSummary =>
  ({ Id, ParentId: '', RepoTags: [], RepoDigests: [], Created: 0, Size, SharedSize: -1, Labels: {}, Containers: -1 }) as ImageSummary;
const container = (Id: string, ImageID: string): ContainerSummary => ({ Id, ImageID }) as ContainerSummary;

const images = [image('sha256:a', 100), image('sha256:b', 200), image('sha256:c', 300)];
const containers = [container('c1', 'sha256:a'), container('c2', 'sha256:b'), container('c3', 'sha256:a'), container('c4', 'sha256:gone')];
const volumes = [{ Name: 'v', UsageData: { Size: 7, RefCount: 1 } } as Volume];

const service = new DiskUsageService({
  images: { list: () => images, sharedSizes: () => new Map([['sha256:a', 40]]), layersSize: () => 550 },
  containers: {
    list: () => containers,
    // Each container's read-write layer is 10 bytes.
    withSizes: async (rows, imageSize) => rows.map((row) => ({ ...row, SizeRw: 10, SizeRootFs: 10 + imageSize((row as unknown as ContainerSummary).ImageID) })),
  },
  volumes: { usage: async () => volumes },
  buildCache: { usage: () => Promise.resolve([]) },
});

describe('DiskUsageService', () => {
  it('counts the containers of each image, with its shared size', async () => {
    const { Images, LayersSize } = await service.usage();
    expect(LayersSize).toBe(550);
    expect(Images?.map((i) => [i.Id, i.Containers, i.SharedSize])).toEqual([
      ['sha256:a', 2, 40],
      ['sha256:b', 1, 0],
      ['sha256:c', 0, 0],
    ]);
  });

  it("sizes each container's root filesystem with its image, none for an image gone", async () => {
    const { Containers } = await service.usage(['container']);
    expect(Containers?.map((c) => [c.Id, c.SizeRootFs])).toEqual([
      ['c1', 110],
      ['c2', 210],
      ['c3', 110],
      ['c4', 10],
    ]);
  });

  it('answers null for the kinds not asked for, as moby does', async () => {
    expect(await service.usage(['volume'])).toEqual({ LayersSize: 0, Images: null, Containers: null, Volumes: volumes, BuildCache: null });
    expect((await service.usage()).BuildCache).toEqual([]);
  });

  it('refuses an unknown kind', async () => {
    await expect(service.usage(['image', 'network'])).rejects.toThrow(new InvalidArgumentError('unknown object type: network'));
  });

  it('adds the sizes `?size=1` asks for to container rows', async () => {
    expect(await service.withSizes([{ Id: 'c2', ImageID: 'sha256:b' }])).toEqual([{ Id: 'c2', ImageID: 'sha256:b', SizeRw: 10, SizeRootFs: 210 }]);
  });
});
