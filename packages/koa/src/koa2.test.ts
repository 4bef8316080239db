import { createRequire } from 'node:module';
import Router from '@koa/router';
import { defineKoaSuite, type KoaClass } from './koa.suite.js';

// Koa 2 comes in through a pnpm alias, so its (untyped) module is required by that name.
const Koa2 = createRequire(import.meta.url)('koa2') as KoaClass;

defineKoaSuite('Koa 2 + @koa/router 15', Koa2, Router, 2);
