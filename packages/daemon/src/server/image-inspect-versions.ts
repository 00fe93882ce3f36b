import { compareApiVersions, type ImageInspect } from '@berth/api';

/** moby's image inspect for an older client: VirtualSize before API 1.44, Container and ContainerConfig before 1.45. */
export function imageInspectForVersion(inspect: ImageInspect, apiVersion: string): ImageInspect {
  const { Container, ContainerConfig, ...current } = inspect;
  return {
    ...current,
    ...(compareApiVersions(apiVersion, '1.44') < 0 ? { VirtualSize: inspect.Size } : {}),
    ...(compareApiVersions(apiVersion, '1.45') < 0 ? { Container, ContainerConfig } : {}),
  };
}
