// Zero-code setup: run with
//   OTEL_SERVICE_NAME=users-api node --import @ai-orchestrator/tracing/register express-app.mjs
import express from 'express';
import { activeTracing } from '@ai-orchestrator/tracing';

const app = express();
app.get('/users/:id', (req, res) => {
  res.json({ id: req.params.id });
});
const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});

process.on('SIGTERM', () => {
  server.close();
  // flush the spans of the last requests before exiting
  void (activeTracing()?.shutdown() ?? Promise.resolve()).then(() => process.exit(0));
});
