import type { ResolvedImage } from '@berth/image';

/** The narrow views of the image and layer stores the container service needs (DESIGN §8). */
export interface ImageResolver {
  resolve(nameOrId: string): ResolvedImage;
}

export interface ContainerRootfs {
  mountContainerRoot(dir: string, parentChainId: string | null): Promise<string>;
  unmountContainerRoot(dir: string): Promise<void>;
  /** The image layers' directories, top first: inspect's GraphDriver LowerDir. */
  diffDirs(chainId: string): string[];
}
