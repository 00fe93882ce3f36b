import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, NotImplementedError, NotModifiedError } from '@berth/api';
import { errorReply } from './error-body.js';

function reply(err: unknown) {
  const logged: unknown[] = [];
  const { status, body } = errorReply(err, { error: ({ err: e }) => logged.push(e) });
  return { status, body: body?.toString(), logged };
}

describe('errorReply', () => {
  it("answers a typed error with its status and Docker's body, reporting nothing", () => {
    expect(reply(new NotFoundError('No such container: x'))).toEqual({ status: 404, body: '{"message":"No such container: x"}\n', logged: [] });
    expect(reply(new ConflictError('in use'))).toMatchObject({ status: 409, logged: [] });
  });

  it('keeps the status of fastify\'s client errors (a bad JSON body, one too large)', () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), { statusCode: 413 });
    expect(reply(tooLarge)).toEqual({ status: 413, body: '{"message":"Request body is too large"}\n', logged: [] });
  });

  it('answers anything else as a logged 500 carrying its message, as dockerd does', () => {
    const fault = new TypeError('cannot read x');
    expect(reply(fault)).toEqual({ status: 500, body: '{"message":"cannot read x"}\n', logged: [fault] });
    expect(reply(Object.assign(new Error('upstream'), { statusCode: 502 }))).toMatchObject({ status: 500 });
    expect(reply('a thrown string')).toMatchObject({ status: 500, body: '{"message":"a thrown string"}\n' });
  });

  it('does not report a 501, the refusal of what this engine does not do', () => {
    expect(reply(new NotImplementedError('no logs'))).toMatchObject({ status: 501, logged: [] });
  });

  it('gives a 304 no body', () => {
    expect(reply(new NotModifiedError('already started'))).toEqual({ status: 304, body: undefined, logged: [] });
  });
});
