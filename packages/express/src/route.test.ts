import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import express4 from 'express4';
import { routeTemplate, watchRoute } from './route.js';
import type { ExpressRequest } from './types.js';

describe('watchRoute', () => {
  // A request as Express hands it to middleware: its prototype is the app's `app.request`.
  const request = (app: { request: object } = express()) =>
    Object.setPrototypeOf(new IncomingMessage(new Socket()), app.request) as ExpressRequest;

  // The prefixes the requests below carry, mounted (a prefix no followed mount explains is not
  // trusted once mount paths can be read), and 100 tenants' mounts of one router.
  const tenants = express.Router();
  beforeAll(() => {
    const mounts = express();
    for (const prefix of ['/api/v1', '/a', '/x']) mounts.use(prefix, express.Router());
    for (let i = 0; i < 100; i++) mounts.use(`/tenants/t${i}`, tenants);
    watchRoute(request(mounts));
  });

  it('captures baseUrl + route path when the route is assigned, not when asked', () => {
    const req = request();
    watchRoute(req);
    expect(routeTemplate(req)).toBeUndefined();
    req.baseUrl = '/api/v1';
    req.route = { path: '/items/:id' };
    req.baseUrl = ''; // an error unwound the routers
    expect(req.route).toEqual({ path: '/items/:id' });
    expect(routeTemplate(req)).toBe('/api/v1/items/:id');
  });

  it('keeps the template of a request whose connection takes no property', () => {
    const req = Object.setPrototypeOf(
      new IncomingMessage(Object.freeze(new Socket())),
      express().request,
    ) as ExpressRequest;
    watchRoute(req);
    req.baseUrl = '/api/v1';
    req.route = { path: '/items/:id' };
    req.baseUrl = '';
    expect(req.route).toEqual({ path: '/items/:id' });
    expect(routeTemplate(req)).toBe('/api/v1/items/:id');
  });

  it('keeps the last route that was assigned, with a path', () => {
    const req = request(express4());
    watchRoute(req);
    req.baseUrl = '/a';
    req.route = { path: '/first' };
    req.route = { path: '/second' };
    expect(routeTemplate(req)).toBe('/a/second');
    req.route = {}; // a route without a path keeps what was seen
    expect(routeTemplate(req)).toBe('/a/second');
  });

  it('reads a route assigned before the first request was watched at the end', () => {
    const req = request(express4());
    req.baseUrl = '/a';
    req.route = { path: '/first' };
    watchRoute(req);
    expect(routeTemplate(req)).toBe('/a/first');
  });

  it('watches requests of sub-apps through the parent app, and of a second app', () => {
    const parent = express();
    const child = express();
    parent.use('/admin', child); // Express chains child.request to parent.request
    const first = request(parent);
    watchRoute(first);
    const inChild = request(child);
    inChild.baseUrl = '/admin';
    inChild.route = { path: '/users/:id' };
    expect(routeTemplate(inChild)).toBe('/admin/users/:id');
    const other = request();
    watchRoute(other);
    other.route = { path: '/other' };
    expect(routeTemplate(other)).toBe('/other');
    expect(routeTemplate(first)).toBeUndefined();
  });

  it('gives one route reached through many mount paths the template of each', () => {
    const app = express();
    const route = { path: '/items/:id' }; // one router mounted at many paths
    for (let i = 0; i < 200; i++) {
      const req = request(app);
      watchRoute(req);
      req.baseUrl = `/tenants/t${i % 100}`;
      req.route = route;
      expect(routeTemplate(req)).toBe(`/tenants/t${i % 100}/items/:id`);
      expect(req.route).toBe(route);
    }
  });

  it('labels a prefix no followed mount explains unmatched, never with its text', () => {
    const req = request();
    watchRoute(req);
    req.baseUrl = '/teams/SECRET-42'; // as a router the app calls from its own function leaves it
    req.route = { path: '/members' };
    expect(routeTemplate(req)).toBeUndefined();
    const nested = request();
    watchRoute(nested);
    nested.baseUrl = '/api/v1/X'; // a followed mount, then text no mount explains
    nested.route = { path: '/members' };
    expect(routeTemplate(nested)).toBeUndefined();
  });

  it('reads a route whose path was changed anew', () => {
    const route: { path: string } = { path: '/old' };
    const first = request();
    watchRoute(first);
    first.route = route;
    route.path = '/new';
    const second = request();
    second.route = route;
    expect(routeTemplate(first)).toBe('/old');
    expect(routeTemplate(second)).toBe('/new');
  });

  it("never touches Node's IncomingMessage.prototype: such a request is read at the end", () => {
    const req = new IncomingMessage(new Socket()) as ExpressRequest;
    watchRoute(req);
    expect(Object.getOwnPropertyDescriptor(IncomingMessage.prototype, 'route')).toBeUndefined();
    req.baseUrl = '/x';
    req.route = { path: '/fixed' };
    expect(routeTemplate(req)).toBe('/x/fixed');
  });

  it('falls back to reading req.route at the end when the prototype cannot take the accessor', () => {
    const app = { request: Object.freeze(Object.create(IncomingMessage.prototype, { app: {} })) };
    const req = request(app);
    watchRoute(req);
    req.baseUrl = '/x';
    req.route = { path: '/fixed' };
    expect(routeTemplate(req)).toBe('/x/fixed');
  });
});
