import { appBuild } from '../../tsup.base.js';
export default appBuild({ index: 'src/index.ts', cli: 'src/cli.ts' });
