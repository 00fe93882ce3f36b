/**
 * The image reference grammar, as documented by github.com/distribution/reference:
 *
 *   reference        := name [ ":" tag ] [ "@" digest ]
 *   name             := [domain "/"] remote-name
 *   domain           := host [":" port-number]
 *   host             := domain-name | IPv4address | "[" IPv6address "]"
 *   domain-name      := domain-component ["." domain-component]*
 *   domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
 *   remote-name      := path-component ["/" path-component]*
 *   path-component   := /[a-z0-9]+/ [separator /[a-z0-9]+/]*
 *   separator        := /[._]|__|[-]+/
 *   tag              := /[\w][\w.-]{0,127}/
 *   digest           := algorithm ":" /[0-9a-fA-F]{32,}/
 *
 * Every repetition is delimited by characters outside the repeated class, so these patterns do not
 * backtrack catastrophically on hostile input.
 */
const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;

const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainName = `${domainComponent}(?:\\.${domainComponent})*`;
// Zone identifiers and IPv4-mapped forms are deliberately excluded, as upstream does.
const ipv6Address = '\\[[a-fA-F0-9:]+\\]';
const domainAndPort = `(?:${domainName}|${ipv6Address})(?::[0-9]+)?`;

const tag = '[\\w][\\w.-]{0,127}';
const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';

/** Groups: 1 name, 2 tag, 3 digest. */
export const REFERENCE_PATTERN = new RegExp(`^((?:${domainAndPort}/)?${remoteName})(?::(${tag}))?(?:@(${digest}))?$`);
/** Groups: 1 domain (may be absent), 2 remote name. */
export const NAME_PATTERN = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
export const REMOTE_NAME_PATTERN = new RegExp(`^${remoteName}$`);
export const TAG_PATTERN = new RegExp(`^${tag}$`);
/** A bare sha256 content identifier: what `docker images --no-trunc` prints without the algorithm. */
export const IDENTIFIER_PATTERN = /^[a-f0-9]{64}$/;

export const REPOSITORY_NAME_MAX_LENGTH = 255;
