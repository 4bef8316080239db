// The fake OpenAI provider for the GenAI scenario, in its own process so the worker's CPU is the
// client's alone: every answer the same (20 output chunks, usage included).
import { startFakeLlm } from '@ai-orchestrator/testkit/fake-llm';

const TEXT = Array.from({ length: 20 }, (_, i) => `word${i}`).join(' ');
const fake = await startFakeLlm({
  responder: () => ({ kind: 'ok', text: TEXT, usage: { input: 120, output: 20, cacheRead: 40 } }),
});
process.on('disconnect', () => {
  void fake.close().then(() => process.exit(0));
});
process.send?.({ type: 'ready', url: fake.openaiBaseURL });
