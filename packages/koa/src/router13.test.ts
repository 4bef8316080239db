import { createRequire } from 'node:module';
import Koa from 'koa';
import type { KoaClass, RouterClass } from '../test/driver.js';
import { routeTemplateTests } from '../test/route-templates.js';

// @koa/router 13 (Node >= 18, no Koa peer range) sits beside 15 through a pnpm alias.
const require = createRequire(import.meta.url);
const Router13 = require('koa-router13') as RouterClass;
const Koa2 = require('koa2') as KoaClass;

routeTemplateTests('Koa 2 + @koa/router 13', Koa2, Router13);
routeTemplateTests('Koa 3 + @koa/router 13', Koa, Router13);
