/** Raw HTTP/1.1 over one TCP socket: what a keep-alive client does after a rejected body. */
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Reads one response (status line, headers, Content-Length body) from a socket. */
function readResponse(socket: Socket, timeoutMs: number): Promise<RawResponse & { closed: Promise<boolean> }> {
  return new Promise((resolve, reject) => {
    let buffer = Buffer.alloc(0);
    let ended = false;
    const closed = new Promise<boolean>((ok) => {
      socket.once('close', () => ok(true));
      setTimeout(() => ok(ended), timeoutMs).unref();
    });
    const timer = setTimeout(() => reject(new Error('no response')), timeoutMs);
    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [statusLine, ...lines] = buffer.subarray(0, end).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = Number(headers['content-length'] ?? 0);
      if (buffer.length < end + 4 + length) return;
      clearTimeout(timer);
      socket.off('data', onData);
      resolve({ status: Number(statusLine!.split(' ')[1]), headers, body: buffer.subarray(end + 4, end + 4 + length).toString('utf8'), closed });
    };
    socket.on('data', onData);
    socket.on('end', () => (ended = true));
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/**
 * Declares a body of `declared` bytes, sends only `sent` of them (a client that stops
 * uploading on an early answer, as curl does), and reads the answer. `closed` tells whether
 * the server then closed the connection; when it did not, a next request written on this
 * socket would be read as the rest of the body and never answered.
 */
export async function sendOversized(
  port: number,
  path: string,
  headers: Record<string, string>,
  declared: number,
  sent: number,
): Promise<RawResponse & { closed: boolean }> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((ok, fail) => socket.once('connect', ok).once('error', fail));
  const head = [`POST ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: keep-alive', `Content-Length: ${declared}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  socket.write(head.join('\r\n') + '\r\n\r\n');
  socket.write(Buffer.alloc(sent, 0x78));
  try {
    const response = await readResponse(socket, 3000);
    return { ...response, closed: await response.closed };
  } finally {
    socket.destroy();
  }
}

/** Sends two requests on one socket, the second after the first answer: is the connection reusable? */
export async function twoOnOneSocket(
  port: number,
  first: { path: string; headers: Record<string, string>; body: string },
  second: { path: string; headers: Record<string, string>; body: string },
): Promise<[RawResponse, RawResponse | Error]> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((ok, fail) => socket.once('connect', ok).once('error', fail));
  const write = (r: typeof first) => {
    const body = Buffer.from(r.body);
    const head = [`POST ${r.path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: keep-alive', `Content-Length: ${body.length}`, ...Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`)];
    socket.write(head.join('\r\n') + '\r\n\r\n');
    socket.write(body);
  };
  try {
    write(first);
    const a = await readResponse(socket, 3000);
    if (a.headers.connection === 'close') return [a, new Error('closed by the server')];
    write(second);
    const b = await readResponse(socket, 3000).catch((err: Error) => err);
    return [a, b];
  } finally {
    socket.destroy();
  }
}
