import { describe, expect, it } from 'vitest';
import { ConflictError, InvalidArgumentError, NotFoundError, NotModifiedError, errorFromStatus, httpStatusOf, wrapError } from './errors.js';

describe('error taxonomy', () => {
  it.each([
    [new NotFoundError('x'), 404],
    [new InvalidArgumentError('x'), 400],
    [new ConflictError('x'), 409],
    [new NotModifiedError('x'), 304],
    [new Error('boom'), 500],
    ['not an error', 500],
  ])('maps %s to %i', (err, status) => expect(httpStatusOf(err)).toBe(status));

  it('round-trips through HTTP status', () => {
    const err = errorFromStatus(409, 'in use');
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.message).toBe('in use');
    expect(err.name).toBe('ConflictError');
  });

  it('wraps an error with context, keeping its kind and cause', () => {
    const cause = new ConflictError('container x is not running');
    const wrapped = wrapError(cause, 'cannot kill container: x');
    expect(wrapped).toBeInstanceOf(ConflictError);
    expect(wrapped.message).toBe('cannot kill container: x: container x is not running');
    expect(wrapped.cause).toBe(cause);
    expect(httpStatusOf(wrapError(new Error('boom'), 'doing y'))).toBe(500);
  });
});
