import { clusterExampleSuite } from '@ai-orchestrator/testkit';

// The README's cluster example, run whole against the built packages, as a user would.
clusterExampleSuite({
  testUrl: import.meta.url,
  service: 'orders-api',
  path: (i) => `/orders/${i}`,
  route: '/orders/:id',
});
