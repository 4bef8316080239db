import { conformanceSuite } from '@ai-orchestrator/testkit/conformance';
import Router from '@koa/router';
import Koa from 'koa';
import { koaDriver } from '../test/driver.js';
import { koaSpecificTests } from '../test/koa-specific.js';
import { routeTemplateTests } from '../test/route-templates.js';

const label = 'Koa 3 + @koa/router 15';
conformanceSuite(koaDriver(label, Koa, Router));
routeTemplateTests(label, Koa, Router);
koaSpecificTests(label, Koa, Router, 3);
