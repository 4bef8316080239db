import { conformanceSuite } from '@ai-orchestrator/testkit/conformance';
import fastify from 'fastify';
import { everyRequestTests } from '../test/every-request.js';
import { fastifyDriver } from '../test/driver.js';
import { fastifySpecificTests } from '../test/fastify-specific.js';

conformanceSuite(fastifyDriver('Fastify 5', fastify));
fastifySpecificTests('Fastify 5', fastify);
everyRequestTests('Fastify 5', fastify);
