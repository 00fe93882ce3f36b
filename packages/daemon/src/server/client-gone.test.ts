import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { clientGone } from './client-gone.js';

/** A request's response, handed over once its client has connected (and, with `leave`, gone again). */
async function responseOfClient(leave: boolean): Promise<{ res: ServerResponse; close(): void }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
  client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  const [, res] = (await once(server, 'request')) as [unknown, ServerResponse];
  if (leave) {
    client.destroy();
    await once(res, 'close');
  }
  return {
    res,
    close: () => {
      client.destroy();
      server.close();
    },
  };
}

describe('clientGone', () => {
  it('aborts when the client leaves', async () => {
    const { res, close } = await responseOfClient(false);
    try {
      const signal = clientGone(res);
      expect(signal.aborted).toBe(false);
      close();
      await once(signal, 'abort');
      expect(signal.aborted).toBe(true);
    } finally {
      close();
    }
  });

  it('is aborted at once for a client that left before it was asked', async () => {
    const { res, close } = await responseOfClient(true);
    try {
      expect(clientGone(res).aborted).toBe(true);
    } finally {
      close();
    }
  });
});
