// The README's GenAI example: an instrumented openai client (streaming, inside a workflow), a
// hand-made call for any other client, a tool run, and what they record. OPENAI_API_KEY and
// OPENAI_BASE_URL come from the environment, as the openai SDK reads them.
import OpenAI from 'openai';
import { createMetrics, instrumentOpenAI } from '@ai-orchestrator/metrics';

const metrics = createMetrics({ serviceName: 'assistant', collectDefaultMetrics: false });
metrics.genai.setPrices({
  currency: 'USD',
  version: '2026-11-01',
  models: [
    { provider: 'openai', model: 'gpt-4o-mini', input: 0.15, output: 0.6, cacheRead: 0.075 },
  ],
});
const openai = instrumentOpenAI(new OpenAI(), { metrics });

await metrics.genai.withWorkflow('summarize', async () => {
  const stream = await openai.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'Summarize the incident in one line.' }],
    stream: true,
    stream_options: { include_usage: true }, // usage in the stream, so tokens and spend count
  });
  for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta?.content ?? '');
  process.stdout.write('\n');
});

// Any other client: one handle per call.
const call = metrics.genai.startCall({
  provider: 'mistral_ai',
  operation: 'chat',
  requestModel: 'mistral-large',
});
call.chunk(); // first chunk: time to first chunk
call.chunk();
call.end({
  responseModel: 'mistral-large-2411',
  finishReasons: ['stop'],
  usage: { input: 900, output: 120 },
});

await metrics.genai.executeTool({ name: 'search_tickets', type: 'function' }, async () => ['T-1']);

const { body } = await metrics.expose();
console.log(
  body
    .split('\n')
    .filter((l) =>
      /^(gen_ai_client_operation_(duration_seconds_count|cost_total|unpriced_total)|gen_ai_client_token_usage_sum|engine_calls_total|gen_ai_execute_tool_duration_seconds_count)/.test(
        l,
      ),
    )
    .join('\n'),
);
