// The lean profile's Express route, on Express 5 and 4: the full template through literal and
// parameterised mounts, nested routers and sub-apps, with no framework spans.
import { describe, expect, it } from 'vitest';
import { tracedFixture } from './services.js';

const SERVER = 2;

// request path -> the route its server span must carry (Express 5's, Express 4's where they differ)
const ROUTES: readonly (readonly [string, string, string?])[] = [
  ['/en/about', '/:lang/about'],
  // each request below enters the /:lang router first and leaves it unmatched
  ['/api/users/7', '/api/users/:id'],
  ['/health/live', '/health/:probe'],
  ['/v1/users/7', '/v1/users/:id'],
  ['/teams/red/members/ann', '/teams/:team/members/:member'],
  ['/teams/red/projects/p9/tasks/t1', '/teams/:team/projects/:project/tasks/:task'],
  ['/teams/blue/admin/settings', '/teams/:team/admin/settings'],
  ['/teams/blue/plans/overview', '/teams/:team/:section/overview'],
  ['/teams/blue/billing/invoices', '/teams/:team/billing/invoices'],
  // entered the /orgs/:org router, matched nothing there, then the app's route
  ['/orgs/acme/billing', '/orgs/:org/billing'],
  ['/regions/eu/report', '/regions/:region/report'],
  // the first route passed with next(): the one that answered names the span
  ['/items/5', '/items/:name'],
  ['/re/42', String(/^\/re\/(\d+)$/)],
  ['/guide/v2/view', '/guide{/:version}/view', '/guide/:version?/view'],
  ['/shard7/status', `${String(/^\/shard\d+/)}/status`],
  ['/shops/s1/list', '/shops/:shop/list'],
  ['/store/list', '/store/list'],
];

describe("profile 'lean': Express routes", () => {
  const fixture = tracedFixture('lean-express-routes.cjs');

  it.each([
    ['Express 5', 0],
    ['Express 4', 1],
  ])('%s: names each server span by the full route template', async (_name, index) => {
    const port = fixture.ports()[index];
    const before = fixture.receiver().spans().length;
    for (const [path] of ROUTES) {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      expect(res.status, path).toBe(200);
    }
    const spans = await fixture.receiver().waitFor((all) => all.length >= before + ROUTES.length);
    const mine = spans.slice(before);
    expect(mine.every((s) => s.kind === SERVER)).toBe(true);
    const byTarget = new Map(mine.map((s) => [s.attributes['url.path'], s]));
    for (const [path, route5, route4] of ROUTES) {
      const route = index === 1 ? (route4 ?? route5) : route5;
      const span = byTarget.get(path);
      expect(span?.attributes['http.route'], path).toBe(route);
      expect(span?.name, path).toBe(`GET ${route}`);
    }
  });
});
