/**
 * A stub Telegram Bot API on 127.0.0.1 that records every call. Tests can
 * script answers (429, 500, dropped connections) per method.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ApiCall {
  method: string;
  payload: Record<string, any>;
}

export type Scripted = { status: number; body: unknown } | 'drop';

export interface StubApi {
  apiRoot: string;
  calls: ApiCall[];
  /** Calls of one method. */
  of(method: string): ApiCall[];
  /** Queue special answers for a method; normal answers follow when the queue is empty. */
  script(method: string, ...answers: Scripted[]): void;
  close(): Promise<void>;
}

let messageId = 1000;

export async function startStubApi(): Promise<StubApi> {
  const calls: ApiCall[] = [];
  const scripted = new Map<string, Scripted[]>();
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const method = (req.url ?? '').split('/').pop() ?? '';
    let payload: Record<string, any> = {};
    try {
      payload = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
    } catch {
      payload = { raw: true };
    }
    calls.push({ method, payload });
    const next = scripted.get(method)?.shift();
    if (next === 'drop') return req.socket.destroy();
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (next) return json(next.status, next.body);
    switch (method) {
      case 'getMe':
        return json(200, { ok: true, result: { id: 42, is_bot: true, first_name: 'Helper', username: 'helper_bot' } });
      case 'sendMessage':
        return json(200, {
          ok: true,
          result: { message_id: ++messageId, date: 0, chat: { id: payload.chat_id, type: 'private' }, text: payload.text },
        });
      case 'getUpdates':
        return json(200, { ok: true, result: [] });
      default:
        return json(200, { ok: true, result: true });
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    apiRoot: `http://127.0.0.1:${port}`,
    calls,
    of: (method) => calls.filter((c) => c.method === method),
    script: (method, ...answers) => scripted.set(method, [...(scripted.get(method) ?? []), ...answers]),
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
