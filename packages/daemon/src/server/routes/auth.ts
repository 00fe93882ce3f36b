import type { FastifyPluginAsync } from 'fastify';
import { AuthConfigSchema, InvalidArgumentError, NoQuerySchema, type AuthConfig } from '@berth/api';
import type { Engine } from '../engine.js';

/** `docker login` (POST /auth): the credentials are checked against the registry, and kept by the client, not here. */
export function authRoutes(engine: Engine): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Body: AuthConfig }>('/auth', { schema: { querystring: NoQuerySchema, body: AuthConfigSchema } }, async (request) => {
      const { username, password, serveraddress, identitytoken, registrytoken } = request.body;
      if (identitytoken || registrytoken) throw new InvalidArgumentError('logging in with an identity or registry token is not supported yet: give a username and password');
      if (!username) throw new InvalidArgumentError('username is required');
      return engine.registries.login({ username, password: password ?? '', ...(serveraddress !== undefined && { serveraddress }) });
    });
  };
}
