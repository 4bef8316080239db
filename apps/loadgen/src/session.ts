// What one synthetic user does in one step: log in, create and run workflows, give feedback.
import { WORKFLOWS, pick, randomInt } from '@ai-orchestrator/demo-kit';

const PLANS = ['free', 'pro', 'enterprise'] as const;
const PRICE = { free: 0, pro: 49, enterprise: 499 } as const;

export interface Outcome {
  readonly action: string;
  readonly status: number;
}

async function call(
  base: string,
  method: string,
  path: string,
  userId: string,
  plan: string,
  body?: unknown,
): Promise<number> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'x-user-id': userId, 'x-plan': plan },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(15_000),
  });
  await res.arrayBuffer();
  return res.status;
}

export async function step(base: string, users: number): Promise<Outcome> {
  const n = randomInt(1, users);
  const userId = `user-${n}`;
  const plan = PLANS[n % 10 === 0 ? 2 : n % 3 === 0 ? 1 : 0] as (typeof PLANS)[number];
  const roll = Math.random();
  if (roll < 0.2) {
    return {
      action: 'login',
      status: await call(base, 'POST', '/api/login', userId, plan, { userId }),
    };
  }
  if (roll < 0.75) {
    const workflow = pick(WORKFLOWS);
    const res = await fetch(`${base}/api/workflows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-plan': plan },
      body: JSON.stringify({ userId, name: workflow.name }),
      signal: AbortSignal.timeout(15_000),
    });
    const created = (await res.json()) as { id?: string };
    if (!res.ok || !created.id) return { action: 'create', status: res.status };
    const status = await call(base, 'POST', `/api/workflows/${created.id}/execute`, userId, plan, {
      userId,
    });
    return { action: 'execute', status };
  }
  if (roll < 0.85) {
    const score = Math.min(5, Math.max(1, Math.round(4 + (Math.random() - 0.3) * 2)));
    return {
      action: 'feedback',
      status: await call(base, 'POST', '/api/feedback', userId, plan, { score }),
    };
  }
  if (roll < 0.9) {
    const body = {
      customerId: `customer-${n}`,
      plan,
      monthlyAmount: PRICE[plan],
      currency: n % 4 === 0 ? 'EUR' : 'USD',
    };
    return {
      action: 'subscribe',
      status: await call(base, 'POST', '/api/subscriptions', userId, plan, body),
    };
  }
  if (roll < 0.95) {
    return { action: 'kpis', status: await call(base, 'GET', '/api/kpis', userId, plan) };
  }
  return {
    action: 'missing',
    status: await call(base, 'GET', `/api/workflows/${n}-missing`, userId, plan),
  };
}
