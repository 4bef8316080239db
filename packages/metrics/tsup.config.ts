import { packageBuild } from '../../tsup.base.js';
export default packageBuild(
  { index: 'src/index.ts', adapter: 'src/adapter.ts', shared: 'src/shared.ts' },
  { splitting: true },
);
