// A loopback OTLP/HTTP receiver: reads every export request fully and answers 200, so exporting
// costs the traced server real work (serialize, send, wait). It counts bytes per setup.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const received = new Map<string, { requests: number; bytes: number }>();

const server = createServer((req, res) => {
  let bytes = 0;
  req.on('data', (chunk: Buffer) => (bytes += chunk.length));
  req.on('end', () => {
    if (req.method === 'POST' && req.url === '/v1/traces') {
      const key = String(req.headers['x-bench-config'] ?? 'unknown');
      const seen = received.get(key) ?? { requests: 0, bytes: 0 };
      seen.requests += 1;
      seen.bytes += bytes;
      received.set(key, seen);
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    } else {
      res.writeHead(404).end();
    }
  });
});

process.on('message', (message: { type?: string }) => {
  if (message.type === 'stats')
    process.send?.({ type: 'stats', received: Object.fromEntries(received) });
});
process.on('disconnect', () => process.exit(0));
server.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'ready', port: (server.address() as AddressInfo).port });
});
