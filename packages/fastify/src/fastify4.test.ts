import fastify4 from 'fastify4';
import { defineFastifySuite, type FastifyFactory } from './fastify.suite.js';

defineFastifySuite('Fastify 4', fastify4 as unknown as FastifyFactory);
