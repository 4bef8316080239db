import type { Options } from 'tsup';
import { appBuild } from '../../tsup.base.js';

// The fake provider comes from the workspace's TypeScript test kit: bundle it into the app.
const config: Options = { ...appBuild(), noExternal: [/^@ai-orchestrator\/testkit/] };
export default config;
