import express from 'express';
import { conformanceSuite } from '@ai-orchestrator/testkit/conformance';
import { expressDriver } from '../test/driver.js';
import { expressSpecificTests } from '../test/express-specific.js';

conformanceSuite(expressDriver('Express 5', express));
expressSpecificTests('Express 5', 5, express);
