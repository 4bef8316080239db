// A loopback fake of the OpenAI and Anthropic HTTP APIs, for the real SDKs to call through
// `baseURL`: tests, the demo engine and the bench use it instead of a paid provider.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { anthropicError, messageFrames, messageJson } from './anthropic.js';
import { answer } from './answer.js';
import {
  chatFrames,
  chatJson,
  embeddingsJson,
  openaiError,
  responseFrames,
  responseJson,
} from './openai.js';
import { writeStream, type Frames } from './sse.js';
import type {
  FakeApi,
  FakeLlm,
  FakeLlmOptions,
  FakeReply,
  FakeRequest,
  Responder,
} from './types.js';

const ROUTES: Readonly<Record<string, FakeApi>> = {
  '/v1/chat/completions': 'openai.chat',
  '/v1/responses': 'openai.responses',
  '/v1/embeddings': 'openai.embeddings',
  '/v1/messages': 'anthropic.messages',
};

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  let raw = '';
  for await (const chunk of req) raw += String(chunk);
  const parsed: unknown = raw === '' ? {} : JSON.parse(raw);
  return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function sendError(
  res: ServerResponse,
  request: FakeRequest,
  reply: Extract<FakeReply, { kind: 'error' }>,
): void {
  const headers: Record<string, string> = {};
  if (reply.retryAfterSeconds !== undefined)
    headers['retry-after'] = String(reply.retryAfterSeconds);
  if (reply.retryAfterMs !== undefined) headers['retry-after-ms'] = String(reply.retryAfterMs);
  const text = reply.message ?? `fake ${reply.status}`;
  const body =
    request.api === 'anthropic.messages'
      ? anthropicError(reply.status, text)
      : openaiError(reply.status, text);
  sendJson(res, reply.status, body, headers);
}

function frames(request: FakeRequest, a: ReturnType<typeof answer>): Frames {
  if (request.api === 'anthropic.messages') return messageFrames(a);
  if (request.api === 'openai.responses') return responseFrames(a);
  return chatFrames(request, a);
}

function json(request: FakeRequest, a: ReturnType<typeof answer>): unknown {
  switch (request.api) {
    case 'anthropic.messages':
      return messageJson(a);
    case 'openai.responses':
      return responseJson(a);
    case 'openai.embeddings':
      return embeddingsJson(request, a);
    default:
      return chatJson(a);
  }
}

async function respond(res: ServerResponse, request: FakeRequest, reply: FakeReply): Promise<void> {
  if (reply.kind === 'stall') {
    await sleep(reply.ms);
    return respond(res, request, { kind: 'ok' });
  }
  if (reply.kind === 'error') return sendError(res, request, reply);
  const a = answer(
    request,
    reply.kind === 'ok' ? reply : { kind: 'ok', chunkMs: reply.chunkMs ?? 0 },
  );
  const id = request.api === 'anthropic.messages' ? 'request-id' : 'x-request-id';
  if (request.stream) {
    const broken = reply.kind === 'ok' ? undefined : reply;
    res.setHeader(id, 'req_fake');
    return writeStream(res, frames(request, a), a, broken);
  }
  if (reply.kind === 'cut') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"id":');
    await sleep(20);
    res.destroy();
    return;
  }
  if (a.firstChunkMs > 0) await sleep(a.firstChunkMs);
  sendJson(res, 200, json(request, a), { [id]: 'req_fake' });
}

/**
 * Starts the fake provider on 127.0.0.1 (a free port unless `port` is given).
 *
 * @example
 * const fake = await startFakeLlm();
 * const client = new OpenAI({ apiKey: 'test', baseURL: fake.openaiBaseURL });
 */
export async function startFakeLlm(options: FakeLlmOptions = {}): Promise<FakeLlm> {
  const requests: FakeRequest[] = [];
  const queue: FakeReply[] = [];
  let responder: Responder = options.responder ?? (() => ({ kind: 'ok' }));
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const api = ROUTES[path];
    if (req.method !== 'POST' || api === undefined)
      return sendJson(res, 404, { error: { message: `no route ${path}` } });
    readBody(req)
      .then((body) => {
        const attempt = Number(req.headers['x-stainless-retry-count'] ?? 0);
        const request: FakeRequest = {
          api,
          path,
          body,
          stream: body.stream === true,
          attempt,
          headers: req.headers,
        };
        requests.push(request);
        return respond(res, request, queue.shift() ?? responder(request));
      })
      .catch((error: unknown) => {
        if (res.headersSent) res.destroy();
        else sendJson(res, 400, { error: { message: String(error) } });
      });
  });
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  return {
    url,
    openaiBaseURL: `${url}/v1`,
    anthropicBaseURL: url,
    requests,
    enqueue: (...replies) => void queue.push(...replies),
    respondWith: (next) => void (responder = next),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
