import { InvalidArgumentError, type ProgressMessage } from '@berth/api';

/** One `POST /build`, as the classic builder takes it. */
export interface BuildRequest {
  /** The Dockerfile's path in the context (`-f`); `Dockerfile` by default. */
  dockerfile?: string;
  /** `-t`, each `name[:tag]`. */
  tags: string[];
  /** `--build-arg`; a null value declares the argument without one. */
  buildArgs: Record<string, string | null>;
  /** `--label`: added to the final image by a last LABEL step, as moby does. */
  labels: Record<string, string>;
  noCache: boolean;
  /** Pull every FROM image even when it is here. */
  pull: boolean;
  /** Build up to this stage only. */
  target?: string;
  /** `--network` for RUN steps: `default`, `none` or `host`. */
  networkMode: string;
  /** Remove each step's container once it committed (`--rm`, the default). */
  remove: boolean;
  /** Remove step containers even after a failure (`--force-rm`). */
  forceRemove: boolean;
}

/** Where the classic build stream goes: text as the `stream` messages carry it. */
export interface BuildOutput {
  write(text: string): void;
  /** A pull's progress (FROM, COPY --from of an image not here). */
  progress(message: ProgressMessage): void;
  /** The built image's ID, before the closing lines (moby's `aux` message). */
  built(imageId: string): void;
}

/** A step that failed with an exit code: the API reports it in `errorDetail.code`, which the docker CLI exits with. */
export class BuildStepError extends InvalidArgumentError {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
    this.name = 'BuildStepError';
  }
}
