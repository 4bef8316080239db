// TracingService: one service object, functions wrapped in spans, a hand-made span, a clean shutdown.
import { TracingService } from '@ai-orchestrator/tracing';

const tracing = new TracingService({
  serviceName: 'workflow-api',
  serviceVersion: '1.4.0',
  environment: 'production',
  // a legacy Jaeger collector URL works too: http://jaeger:14268/api/traces is mapped to OTLP on :4318
  jaegerEndpoint: process.env.JAEGER_ENDPOINT ?? 'http://localhost:4318/v1/traces',
  sampler: {
    ratio: 0.1, // keep 10% of ordinary traces…
    alwaysSample: ['workflow.execute', '/checkout/:cartId'], // …and every critical one
    maxTracesPerSecond: 50,
  },
  redact: { keys: ['ssn'] }, // on by default; this adds a key to the built-in list
});
tracing.initialize();

const summary = await tracing.traceFunction('workflow.execute', async (span) => {
  span.setAttributes({ 'workflow.name': 'summarize', 'user.email': 'ann@example.com' });
  const step = tracing.createSpan('custom-operation');
  step.setAttributes({ 'engine.type': 'openai', 'person.ssn': '078-05-1120' });
  step.end();
  return 'three bullet points';
});
console.log(`workflow returned: ${summary}`);

await tracing.shutdown(); // flushes pending spans, bounded by shutdownTimeoutMs
console.log('spans flushed');
