import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { pathTemplate, watchRoute } from './route.js';
import type { ExpressRequest } from './types.js';

const request = () => new IncomingMessage(new Socket()) as ExpressRequest;

describe('pathTemplate', () => {
  it('reads a route path as written', () => {
    expect(pathTemplate('/users/:id')).toBe('/users/:id');
    expect(pathTemplate(/^\/re\/\d+$/)).toBe('/^\\/re\\/\\d+$/');
    expect(pathTemplate(['/one', '/two'])).toBe('/one');
    expect(pathTemplate([/^\/a/, '/b'])).toBe('/^\\/a/');
    expect(pathTemplate(undefined)).toBeUndefined();
    expect(pathTemplate(42)).toBeUndefined();
  });
});

describe('watchRoute', () => {
  it('captures baseUrl + route path when the route is assigned, not when asked', () => {
    const req = request();
    const template = watchRoute(req);
    expect(template()).toBeUndefined();
    req.baseUrl = '/api/v1';
    req.route = { path: '/items/:id' };
    req.baseUrl = ''; // an error unwound the routers
    expect(req.route).toEqual({ path: '/items/:id' });
    expect(template()).toBe('/api/v1/items/:id');
  });

  it('keeps the last route that was assigned, and a route already set before it watched', () => {
    const req = request();
    req.baseUrl = '/a';
    req.route = { path: '/first' };
    const template = watchRoute(req);
    expect(template()).toBe('/a/first');
    req.route = { path: '/second' };
    expect(template()).toBe('/a/second');
  });

  it('shares one capture between two middlewares on the same request', () => {
    const req = request();
    const outer = watchRoute(req);
    const inner = watchRoute(req);
    req.baseUrl = '/admin';
    req.route = { path: '/users/:id' };
    expect(outer()).toBe('/admin/users/:id');
    expect(inner()).toBe('/admin/users/:id');
  });

  it('falls back to reading req.route at the end when it cannot watch it', () => {
    const req = request();
    Object.defineProperty(req, 'route', { value: { path: '/fixed' }, configurable: false });
    req.baseUrl = '/x';
    expect(watchRoute(req)()).toBe('/x/fixed');
  });
});
