import { createServer } from 'node:http';

export interface OtlpSink {
  /** The OTLP/HTTP traces endpoint, `http://127.0.0.1:PORT/v1/traces`. */
  readonly url: string;
  /** Raw bodies of every export request so far (protobuf keeps strings as plain UTF-8). */
  bodies(): Buffer[];
  close(): Promise<void>;
}

/**
 * A loopback OTLP/HTTP endpoint that accepts trace exports and keeps their bytes.
 * @example
 * const sink = await startOtlpSink();
 * await sink.close();
 */
export async function startOtlpSink(): Promise<OtlpSink> {
  const received: Buffer[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') received.push(Buffer.concat(chunks));
      // An empty ExportTraceServiceResponse is zero protobuf bytes.
      res.writeHead(req.method === 'POST' ? 200 : 404, {
        'content-type': 'application/x-protobuf',
      });
      res.end();
    });
  });
  // port 0: the OS picks a free one as it binds, so no other listener can take it first
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    bodies: () => [...received],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
