// The record calls: checked input, per-process counters, and store events through the writer.
import { METRICS } from '@ai-orchestrator/metrics';
import { LabelLimiter, ensureCounter, ensureHistogram } from '@ai-orchestrator/metrics/adapter';
import { dayKey } from './days.js';
import type { ResolvedOptions } from './options.js';
import type { ApiRequest, BusinessMetrics, Subscription } from './types.js';
import {
  requireAmountUnits,
  requireCurrency,
  requireName,
  requireObject,
  requireScore,
} from './validate.js';
import type { StoreWriter } from './writer.js';

const MAX_PLAN_LENGTH = 64;

export type Recorders = Pick<
  BusinessMetrics,
  | 'recordLogin'
  | 'recordUserActivity'
  | 'recordWorkflowCreated'
  | 'recordSubscription'
  | 'cancelSubscription'
  | 'recordSatisfaction'
  | 'recordApiRequest'
>;

/** Record calls are synchronous: they throw only on bad input, never on store trouble. */
export function createRecorders(options: ResolvedOptions, writer: StoreWriter): Recorders {
  const { service, registry, now, hash } = options;
  const logins = ensureCounter(registry, METRICS.businessUserLogins);
  const workflowsCreated = ensureCounter(registry, METRICS.businessWorkflowsCreated);
  const satisfaction = ensureHistogram(registry, METRICS.businessCustomerSatisfaction);
  const apiRequests = ensureCounter(registry, METRICS.businessApiRequests);
  const overflow = ensureCounter(registry, METRICS.labelOverflow);
  const plans = new LabelLimiter(options.maxPlans, MAX_PLAN_LENGTH, () =>
    overflow.inc({ service, metric: METRICS.businessApiRequests.name, label: 'plan' }),
  );
  // Series exist from the start, so rate() sees them before the first event.
  logins.inc({ service }, 0);
  workflowsCreated.inc({ service }, 0);

  return {
    recordLogin(userId) {
      requireName('recordLogin', 'userId', userId);
      logins.inc({ service });
      writer.addUser(dayKey(now()), hash(userId));
    },
    recordUserActivity(userId) {
      requireName('recordUserActivity', 'userId', userId);
      writer.addUser(dayKey(now()), hash(userId));
    },
    recordWorkflowCreated() {
      workflowsCreated.inc({ service });
    },
    recordSubscription(subscription: Subscription) {
      const at = 'recordSubscription';
      const given = requireObject<Subscription>(at, 'subscription', subscription);
      const customer = hash(requireName(at, 'customerId', given.customerId));
      requireName(at, 'plan', given.plan);
      const amountUnits = requireAmountUnits(at, 'monthlyAmount', given.monthlyAmount);
      const currency = requireCurrency(at, 'currency', given.currency);
      writer.addSubscription({ type: 'set', customer, currency, amountUnits });
    },
    cancelSubscription(customerId) {
      const customer = hash(requireName('cancelSubscription', 'customerId', customerId));
      writer.addSubscription({ type: 'cancel', customer });
    },
    recordSatisfaction(score) {
      requireScore('recordSatisfaction', 'score', score);
      satisfaction.observe({ service }, score);
      writer.addSatisfaction(dayKey(now()), score >= 4);
    },
    recordApiRequest(request: ApiRequest) {
      const given = requireObject<ApiRequest>('recordApiRequest', 'request', request);
      const plan = requireName('recordApiRequest', 'plan', given.plan);
      apiRequests.inc({ service, plan: plans.admit(plan) });
    },
  };
}
