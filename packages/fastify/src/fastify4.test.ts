import { conformanceSuite } from '@ai-orchestrator/testkit/conformance';
import fastify4 from 'fastify4';
import { everyRequestTests } from '../test/every-request.js';
import { fastifyDriver, type FastifyFactory } from '../test/driver.js';
import { fastifySpecificTests } from '../test/fastify-specific.js';

// Fastify 4's types differ from 5's in details the tests do not use.
const fastify = fastify4 as unknown as FastifyFactory;

conformanceSuite(fastifyDriver('Fastify 4', fastify));
fastifySpecificTests('Fastify 4', fastify);
everyRequestTests('Fastify 4', fastify);
