import Router from '@koa/router';
import Koa from 'koa';
import { defineKoaSuite } from './koa.suite.js';

defineKoaSuite('Koa 3 + @koa/router 15', Koa, Router, 3);
