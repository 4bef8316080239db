// The README quickstart: one process, the in-memory store, every KPI recorded once.
import { createMetrics } from '@ai-orchestrator/metrics';
import { createBusinessMetrics, memoryStore } from '@ai-orchestrator/business-metrics';

const metrics = createMetrics({ serviceName: 'quickstart' });
const business = createBusinessMetrics({ metrics, store: memoryStore() });

business.recordLogin('user-1'); // a login also marks the user active
business.recordUserActivity('user-2');
business.recordUserActivity('user-1'); // the same user again: still 2 active users
business.recordWorkflowCreated();
business.recordSubscription({
  customerId: 'acme',
  plan: 'pro',
  monthlyAmount: 49.99,
  currency: 'USD',
});
business.recordSubscription({
  customerId: 'globex',
  plan: 'team',
  monthlyAmount: 199,
  currency: 'EUR',
});
business.recordSubscription({
  customerId: 'acme',
  plan: 'team',
  monthlyAmount: 199,
  currency: 'USD',
}); // plan change
business.cancelSubscription('globex');
business.recordSatisfaction(5);
business.recordSatisfaction(3);
business.recordApiRequest({ plan: 'pro' });
metrics.recordWorkflowExecution('wf-1', 'summarize', 'openai', 'success', 1200);

const kpis = await business.getKpis();
console.log(JSON.stringify({ ...kpis, asOf: undefined }));

const { body } = await metrics.expose();
console.log(
  body
    .split('\n')
    .filter((line) => /^business_(active|monthly|api)/.test(line))
    .join('\n'),
);
await business.close();
