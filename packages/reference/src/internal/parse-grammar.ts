import { InvalidArgumentError } from '@berth/api';
import { parseDigest } from '../digest.js';
import { NAME_PATTERN, REFERENCE_PATTERN, REPOSITORY_NAME_MAX_LENGTH } from './grammar.js';

export interface GrammarParts {
  /** Empty when the string has no domain component. */
  domain: string;
  path: string;
  tag?: string;
  digest?: string;
}

/**
 * Splits a reference by the grammar alone, with no Docker Hub defaults (distribution's `Parse`).
 * Callers check for uppercase names first, so they can name the offending part in the message.
 */
export function parseGrammar(s: string): GrammarParts {
  const match = REFERENCE_PATTERN.exec(s);
  if (match === null) throw new InvalidArgumentError('invalid reference format');
  const [, name, tag, digest] = match;
  // The name group matched the same sub-pattern NAME_PATTERN anchors, so this cannot fail.
  const [, domain = '', path] = NAME_PATTERN.exec(name) as RegExpExecArray;
  if (path.length > REPOSITORY_NAME_MAX_LENGTH) {
    throw new InvalidArgumentError(`repository name must not be more than ${REPOSITORY_NAME_MAX_LENGTH} characters`);
  }
  if (digest !== undefined) parseDigest(digest);
  return { domain, path, tag, digest };
}
