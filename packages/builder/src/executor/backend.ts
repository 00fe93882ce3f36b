import type { Readable, Writable } from 'node:stream';
import type { ProgressMessage } from '@berth/api';
import type { HistoryEntry, ImageConfig, ImageRunConfig } from '@berth/oci';

/** What a path is in a step container's filesystem (symlinks in the path are followed inside the container). */
export interface PathInfo {
  isDirectory: boolean;
  /** Where a symlink as the last component points, else ''. */
  linkTarget: string;
}

/** A numeric owner, resolved in the step's image (`--chown`). */
export interface Owner {
  uid: number;
  gid: number;
}

/** The container config of a step (moby's runConfig for the step's container). */
export interface StepContainerSpec {
  /** The image the container starts from; `null` for `FROM scratch`. */
  image: string | null;
  config: ImageRunConfig;
  /** `--network`: `default` (bridge), `none` or `host`. */
  networkMode: string;
  /** Mount anonymous volumes at the image's VOLUMEs, as a RUN step's container has them (what it writes there is not kept). */
  imageVolumes: boolean;
  /**
   * The build removes the container after its step (`--rm`, `--force-rm`, a `COPY --from` source): its files need
   * not survive a crash, and its commit is its last use (the container is then marked for removal and may lend
   * its files to the layer): only `remove` may follow it.
   */
  removed: boolean;
}

/** A step container: created, not started, until `run`. Always `remove` it, whatever happened. */
export interface StepContainer {
  readonly id: string;
  /** Starts the container with its output copied to the two streams and resolves with its exit code; aborting `signal` kills it. */
  run(stdout: Writable, stderr: Writable, signal: AbortSignal): Promise<number>;
  /** Undefined when the path does not exist. */
  stat(path: string): Promise<PathInfo | undefined>;
  /** Extracts `tar` into the directory `path` (Docker's PUT archive, owners and modes as in the tar). */
  put(path: string, tar: Readable): Promise<void>;
  /** `GET archive`: the tar of `path` whose top entry is named after the path's last component. */
  get(path: string): Promise<Readable>;
  /** Resolves `user[:group]` (names or ids) with the container's /etc/passwd and /etc/group, as `--chown` does. */
  resolveOwner(user: string): Promise<Owner>;
  /** Commits the container's changes as a new image (hidden build cache until the build tags it). */
  commit(image: NewStepImage): Promise<string>;
  remove(): Promise<void>;
}

/** A step's resulting image: its config, history line and cache key. */
export interface NewStepImage {
  runConfig: ImageRunConfig;
  history: HistoryEntry;
  /** MAINTAINER, kept by every later step of the stage. */
  author?: string;
  /** The step's cache key: a later build with the same key finds this image (`BuildBackend.cached`). */
  cacheKey: string;
}

export interface BaseImage {
  id: string;
  config: ImageConfig;
}

export type ProgressSink = (message: ProgressMessage) => void;

/** The port the daemon implements for the builder: images, step containers and the cache index. */
export interface BuildBackend {
  /** A local image for FROM; pulled (with progress lines) when missing or when `pull` is set. */
  baseImage(ref: string, options: { pull: boolean; platform?: string; progress: ProgressSink; signal: AbortSignal }): Promise<BaseImage>;
  /** An image by ID (a step's parent, a cache hit). */
  image(id: string): BaseImage | undefined;
  createContainer(spec: StepContainerSpec): Promise<StepContainer>;
  /** A metadata-only step: a new image on `parent` (null for scratch) without a new layer. */
  createImage(parent: string | null, image: NewStepImage): Promise<string>;
  /** The image an earlier step with this cache key made, if it is still here. */
  cached(key: string): string | undefined;
  /** The build's result: shown in `docker images` (no longer hidden cache) and tagged with each of `tags`. */
  publish(imageId: string, tags: string[]): Promise<void>;
}
