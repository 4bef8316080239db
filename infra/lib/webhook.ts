// A local webhook receiver for the live Alertmanager tests: records every notification by the
// receiver path it was posted to (`/<receiver>`), and answers with the status a test chooses, so a
// receiver can also play a revoked Slack or PagerDuty secret (401).
import { EventEmitter, once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Delivery {
  readonly receiver: string;
  readonly alerts: { labels: Record<string, string> }[];
  /** The Authorization header it came with, if any (the receiver's credentials). */
  readonly authorization?: string;
}

export class Webhook extends EventEmitter {
  readonly deliveries: Delivery[] = [];
  private server: Server | undefined;
  url = '';

  /** @param statusOf the HTTP status answered to a receiver (200 unless it says otherwise). */
  constructor(private readonly statusOf: (receiver: string) => number = () => 200) {
    super();
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const receiver = (req.url ?? '').slice(1);
        const payload = JSON.parse(body) as Delivery;
        const { authorization } = req.headers;
        this.deliveries.push({ ...payload, receiver, ...(authorization && { authorization }) });
        res.statusCode = this.statusOf(receiver);
        res.end(res.statusCode < 300 ? 'ok' : 'denied');
        this.emit('delivery');
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The receivers that got an alert of this name (and these labels), sorted. */
  receiversOf(alertname: string, labels: Record<string, string> = {}): string[] {
    const matches = (a: { labels: Record<string, string> }): boolean =>
      a.labels.alertname === alertname &&
      Object.entries(labels).every(([k, v]) => a.labels[k] === v);
    return this.deliveries
      .filter((d) => d.alerts.some(matches))
      .map((d) => d.receiver)
      .sort();
  }

  /** Resolves when `done()` holds after a delivery; rejects after `ms`. */
  async until(done: () => boolean, ms = 30_000): Promise<void> {
    if (done()) return;
    const timeout = AbortSignal.timeout(ms);
    while (!done()) {
      await once(this, 'delivery', { signal: timeout }).catch(() => {
        throw new Error(`webhook: condition not met; got ${JSON.stringify(this.deliveries)}`);
      });
    }
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }
}
