import type { ImageManifestSummary, ImageSummary } from '@berth/api';
import type { ImageStore } from '@berth/image';
import type { ContainerInspection } from '../container/inspection-service.js';

/**
 * `manifests=1` on the image list: each image's one manifest (the one `docker save` writes, as the
 * store keeps a single platform per image), with the platform and the containers using it.
 */
export async function withManifests(images: ImageSummary[], store: Pick<ImageStore, 'manifest' | 'resolve'>, containers: Pick<ContainerInspection, 'usersOfImage'>): Promise<ImageSummary[]> {
  return Promise.all(
    images.map(async (image) => {
      const { descriptor, contentSize } = await store.manifest(image.Id);
      const { os, architecture, variant } = store.resolve(image.Id).config;
      const manifest: ImageManifestSummary = {
        ID: descriptor.digest,
        Descriptor: descriptor,
        Available: true,
        Size: { Content: contentSize, Total: contentSize + image.Size },
        Kind: 'image',
        ImageData: {
          Platform: { architecture, os, ...(variant !== undefined ? { variant } : {}) },
          Containers: containers.usersOfImage(image.Id).map((user) => user.id),
          Size: { Unpacked: image.Size },
        },
      };
      return { ...image, Manifests: [manifest] };
    }),
  );
}
