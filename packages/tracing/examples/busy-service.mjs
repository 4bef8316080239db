// A busy service: the default sampler (a cap on new traces per process; checkout always traced)
// and the lean profile (one span per request, named by its route).
import { TracingService } from '@ai-orchestrator/tracing';

const tracing = new TracingService({
  serviceName: 'orders-api',
  profile: 'lean',
  sampler: { alwaysSample: ['/checkout/:cartId'] }, // past the default cap of 10 new traces/s
}).initialize();

// the framework is loaded after initialize(), so it is instrumented
const { default: express } = await import('express');
const app = express();
app.get('/orders/:id', (req, res) => res.json({ id: req.params.id }));
app.post('/checkout/:cartId', (req, res) => res.json({ cart: req.params.cartId, paid: true }));
const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});
process.on('SIGTERM', () => {
  server.close();
  void tracing.shutdown().then(() => process.exit(0));
});
