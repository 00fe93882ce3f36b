import type { FastifyPluginAsync } from 'fastify';
import type { AuthConfig } from '../../config-auth.js';
import type { RegistryRoutesOptions } from '../handler.js';
import { AccessRules } from './access-rules.js';
import { authorizer } from './authorizer.js';
import { Htpasswd } from './htpasswd.js';
import { HtpasswdAccessController } from './htpasswd-auth.js';
import { TokenAccessController } from './token-auth.js';
import { tokenEndpoint } from './token-endpoint.js';
import { loadSecret, loadSigningKey, loadVerificationKeys } from './token-keys.js';

export interface OpenedAuth {
  authorize: NonNullable<RegistryRoutesOptions['authorize']>;
  /** The token issuer to register beside the routes, when the config asks for one. */
  tokenEndpoint?: FastifyPluginAsync;
}

/** Reads the files `auth` names (htpasswd, keys); throws a message naming the file when one is unusable. */
export async function openAuth(config: AuthConfig): Promise<OpenedAuth> {
  const { anonymousPull } = config;
  const rules = config.access && new AccessRules(config.access);
  if (config.scheme === 'htpasswd') {
    return { authorize: authorizer({ controller: new HtpasswdAccessController(config.realm, await Htpasswd.load(config.path), rules), anonymousPull }) };
  }
  const secret = config.secretFile === undefined ? undefined : await loadSecret(config.secretFile);
  const keys = [...(config.rootCertBundle === undefined ? [] : await loadVerificationKeys(config.rootCertBundle)), ...(secret ? [secret] : [])];
  const { realm, service, issuer } = config;
  const authorize = authorizer({ controller: new TokenAccessController({ realm, service, issuer, keys }), anonymousPull });
  if (config.issuerHtpasswd === undefined) return { authorize };
  const signingKey = config.signingKey === undefined ? secret! : await loadSigningKey(config.signingKey);
  return { authorize, tokenEndpoint: tokenEndpoint({ service, issuer, users: await Htpasswd.load(config.issuerHtpasswd), rules, signingKey, anonymousPull }) };
}
