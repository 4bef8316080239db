import { appBuild } from '../tsup.base.js';
export default appBuild({
  run: 'src/run.ts',
  server: 'src/server.ts',
  load: 'src/load.ts',
  sink: 'src/sink.ts',
  worker: 'src/worker.ts',
  profile: 'src/profile.ts',
  cluster: 'src/cluster.ts',
  'cluster-worker': 'src/cluster-worker.ts',
  provider: 'src/provider.ts',
  instructions: 'src/instructions.ts',
});
