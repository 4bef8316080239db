export { intEnv, numberEnv, stringEnv } from './env.js';
export { FaultState, type Faults } from './faults.js';
export { logNormal, pick, randomInt, sleep } from './random.js';
export { onShutdown } from './lifecycle.js';
export { WORKFLOWS, ENGINES, type EngineType } from './catalog.js';
