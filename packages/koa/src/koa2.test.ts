import { createRequire } from 'node:module';
import { conformanceSuite } from '@ai-orchestrator/testkit/conformance';
import Router from '@koa/router';
import { koaDriver, type KoaClass } from '../test/driver.js';
import { koaSpecificTests } from '../test/koa-specific.js';
import { routeTemplateTests } from '../test/route-templates.js';

// Koa 2 comes in through a pnpm alias, so its (untyped) module is required by that name.
const Koa2 = createRequire(import.meta.url)('koa2') as KoaClass;

const label = 'Koa 2 + @koa/router 15';
conformanceSuite(koaDriver(label, Koa2, Router));
routeTemplateTests(label, Koa2, Router);
koaSpecificTests(label, Koa2, Router, 2);
