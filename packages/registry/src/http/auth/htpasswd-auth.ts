import type { FastifyRequest } from 'fastify';
import type { Access } from './access.js';
import { AuthChallenge, basicCredentials, quoted, type AccessController } from './challenge.js';
import type { Htpasswd } from './htpasswd.js';

/** The Go registry's `auth.htpasswd`: every request needs a user of the file; any user may do anything. */
export class HtpasswdAccessController implements AccessController {
  constructor(
    private readonly realm: string,
    private readonly users: Htpasswd,
  ) {}

  async authorize(request: FastifyRequest, access: Access[]): Promise<void> {
    const credentials = basicCredentials(request);
    if (credentials && (await this.users.verify(credentials.user, credentials.password))) return;
    if (credentials) request.log.warn({ user: credentials.user }, 'authentication failed');
    throw new AuthChallenge(`Basic realm=${quoted(this.realm)}`, access);
  }
}
