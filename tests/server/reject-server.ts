/**
 * A server in its own process for tests/server/http.test.ts: a client and a server on one
 * event loop take turns, and the race between an early answer and an upload never shows.
 * Prints its port on the first line of stdout.
 */
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { createHttpServer, readBody, reject, send } from '../../src/server/http.js';

export const MAX = 1024 * 1024;

const server = createHttpServer({
  logger: pino({ level: 'silent' }),
  routes: [
    {
      path: '/read',
      methods: ['POST'],
      handle: async (req, res) => {
        const body = await readBody(req, MAX);
        if (body === 'too-large') return reject(req, res, 413);
        send(res, 200, String(body.length));
      },
    },
    // Refuses before reading anything, as a webhook does without its secret.
    { path: '/refuse', methods: ['POST'], handle: (req, res) => reject(req, res, 401) },
  ],
});
await server.listen(0, '127.0.0.1');
console.log((server.server.address() as AddressInfo).port);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
