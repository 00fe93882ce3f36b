import { IDENTIFIER_PATTERN } from './internal/grammar.js';

const SHORT_ID_LENGTH = 12;
const IMAGE_ID_PREFIX_PATTERN = /^(?:sha256:)?[a-f0-9]{1,64}$/;

/** The 12-character form Docker prints: drops any `algorithm:` prefix and truncates. */
export function shortId(id: string): string {
  const colon = id.indexOf(':');
  return (colon >= 0 ? id.slice(colon + 1) : id).slice(0, SHORT_ID_LENGTH);
}

/** True for a full 64-hex sha256 identifier without the `sha256:` prefix. */
export function isImageIdentifier(s: string): boolean {
  return IDENTIFIER_PATTERN.test(s);
}

/**
 * True when `s` could abbreviate an image ID (`abc123`, `sha256:abc123`). Such strings may also be
 * valid names, so callers decide which interpretation wins.
 */
export function isImageIdPrefix(s: string): boolean {
  return IMAGE_ID_PREFIX_PATTERN.test(s);
}
