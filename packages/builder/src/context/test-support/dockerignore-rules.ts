import dockerignore from '@balena/dockerignore';
import type { IgnoreRules } from '../ignore-rules.js';

type Factory = typeof dockerignore.default;
// The CommonJS package exports the factory itself at run time; its types describe an ES default export.
const factory = (dockerignore as { default?: Factory }).default ?? (dockerignore as unknown as Factory);

/** Docker's `.dockerignore` semantics, from the matcher the builder depends on (tests only). */
export const dockerignoreRules = (text: string): IgnoreRules => factory().add(text);
