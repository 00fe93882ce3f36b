import type { FastifyRequest } from 'fastify';
import { RegistryError } from '../../registry-error.js';
import type { Access } from './access.js';
import type { AccessRules } from './access-rules.js';
import { accessDetail, AuthChallenge, basicCredentials, quoted, type AccessController } from './challenge.js';
import type { Htpasswd } from './htpasswd.js';

/**
 * The Go registry's `auth.htpasswd`: every request needs a user of the file; any user may do anything,
 * unless berth's access rules say otherwise (then DENIED, 403, for what they do not grant).
 */
export class HtpasswdAccessController implements AccessController {
  constructor(
    private readonly realm: string,
    private readonly users: Htpasswd,
    private readonly rules?: AccessRules,
  ) {}

  async authorize(request: FastifyRequest, access: Access[]): Promise<string> {
    const credentials = basicCredentials(request);
    if (credentials && (await this.users.verify(credentials.user, credentials.password))) {
      const denied = access.filter((wanted) => this.rules && !this.rules.grants(credentials.user, wanted));
      if (denied.length > 0) throw new RegistryError('DENIED', 'requested access to the resource is denied', accessDetail(denied));
      return credentials.user;
    }
    if (credentials) request.log.warn({ user: credentials.user }, 'authentication failed');
    throw new AuthChallenge(`Basic realm=${quoted(this.realm)}`, access);
  }
}
