import type { HandlerContext } from '../handler.js';
import type { RegistryPath } from '../route-path.js';
import { requiredAccess } from './access.js';
import { withChallengeHeader, type AccessController } from './challenge.js';
import { setRequestUser } from './request-user.js';

export interface RegistryAuth {
  controller: AccessController;
  /** Requests without credentials that only pull from repositories pass; everything else authenticates. */
  anonymousPull: boolean;
}

/** The routes' `authorize` hook: the access the request needs, checked by the controller. */
export function authorizer({ controller, anonymousPull }: RegistryAuth): (context: HandlerContext, path: RegistryPath) => Promise<void> {
  return async ({ request, reply, query }, path) => {
    const access = requiredAccess(request.method, path, query);
    const pullOnly = access.length > 0 && access.every(({ type, action }) => type === 'repository' && action === 'pull');
    if (anonymousPull && pullOnly && request.headers.authorization === undefined) return;
    setRequestUser(request, await withChallengeHeader(reply, () => controller.authorize(request, access)));
  };
}
