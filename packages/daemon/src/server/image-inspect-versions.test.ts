import { describe, expect, it } from 'vitest';
import type { ImageInspect } from '@berth/api';
import { imageInspectForVersion } from './image-inspect-versions.js';

const inspect = {
  Id: 'sha256:1',
  Size: 42,
  Container: '',
  ContainerConfig: { Cmd: null, Volumes: null },
} as unknown as ImageInspect;

describe('imageInspectForVersion', () => {
  it('keeps the deprecated Container and ContainerConfig for API < 1.45 (docker-compose 1.29 asks with 1.38)', () => {
    expect(imageInspectForVersion(inspect, '1.38')).toEqual({ ...inspect, VirtualSize: 42 });
    expect(imageInspectForVersion(inspect, '1.44')).toEqual(inspect);
  });

  it('leaves them out from 1.45 on', () => {
    expect(imageInspectForVersion(inspect, '1.45')).toEqual({ Id: 'sha256:1', Size: 42 });
    expect(imageInspectForVersion(inspect, '1.47')).toEqual({ Id: 'sha256:1', Size: 42 });
  });
});
