export { startFakeLlm } from './server.js';
export { estimateTokens } from './answer.js';
export type {
  FakeApi,
  FakeBrokenStream,
  FakeError,
  FakeLlm,
  FakeLlmOptions,
  FakeOk,
  FakeReply,
  FakeRequest,
  FakeStall,
  FakeToolCall,
  FakeUsage,
  Responder,
} from './types.js';
