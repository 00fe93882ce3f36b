import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The checkout the tests run in; binaries are taken from its built packages, as a user would run them. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const PACKAGES_DIR = join(REPO_ROOT, 'packages');
export const BERTHD = join(PACKAGES_DIR, 'daemon/dist/bin/berthd.js');
export const BERTH = join(PACKAGES_DIR, 'cli/dist/bin/berth.js');
/** The schemas and responses of the upstream Engine API description, without its prose (`e2e/scripts/engine-api-data.mjs`). */
export const API_SPEC = join(REPO_ROOT, 'e2e/data/engine-api-v1.47.json');
/** Test tools that tools/setup --test unpacks off the system's PATH (docker-credential-pass and pass). */
export const PRIVATE_TOOLS = '/opt/berth/test-tools/usr/bin';
