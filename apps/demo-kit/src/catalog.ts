// The demo's workflows and engines, shared by the services and the load generator.

export const ENGINES = ['openai', 'anthropic', 'local-llm'] as const;
export type EngineType = (typeof ENGINES)[number];

export const WORKFLOWS = [
  { name: 'summarize-document', engine: 'openai', steps: ['completion'] },
  { name: 'classify-ticket', engine: 'local-llm', steps: ['embedding', 'completion'] },
  { name: 'generate-report', engine: 'anthropic', steps: ['chat', 'chat', 'completion'] },
  { name: 'translate-text', engine: 'openai', steps: ['completion'] },
  { name: 'extract-entities', engine: 'anthropic', steps: ['embedding', 'chat'] },
] as const satisfies readonly { name: string; engine: EngineType; steps: readonly string[] }[];
