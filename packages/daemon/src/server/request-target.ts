import { InvalidArgumentError } from '@berth/api';

/**
 * Refuses a request-target carrying `#`, which RFC 9112 does not allow in one. The router would cut the
 * path there and route `/containers/create#x` as `/containers/create`, while a policy reading the raw
 * URI sees another path. (Go's net/http keeps the `#` in the path, so dockerd answers such a request 404.)
 */
export function assertNoFragment(rawUrl: string): void {
  if (rawUrl.includes('#')) throw new InvalidArgumentError(`invalid request target ${JSON.stringify(rawUrl)}: "#" is not allowed in a request`);
}
