import { describe, expect, it } from 'vitest';
import { ConflictError, InvalidArgumentError, NotFoundError, NotModifiedError, errorFromStatus, httpStatusOf } from './errors.js';

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
});
