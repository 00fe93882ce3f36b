export type { BaseImage, BuildBackend, NewStepImage, Owner, PathInfo, ProgressSink, StepContainer, StepContainerSpec } from './executor/backend.js';
export { buildImage, checkTags, type BuildResult } from './executor/build.js';
export { BuildStepError, type BuildOutput, type BuildRequest } from './executor/build-request.js';
export { BuildContext, type ExtractContextOptions } from './context/build-context.js';
export { parseDockerfile } from './dockerfile/parse.js';
export { ContextReuse, type KeptContextUsage } from './context/context-reuse.js';
