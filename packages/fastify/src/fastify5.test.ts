import fastify from 'fastify';
import { defineFastifySuite } from './fastify.suite.js';

defineFastifySuite('Fastify 5', fastify);
