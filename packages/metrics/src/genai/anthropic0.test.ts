// @anthropic-ai/sdk 0.133.0 (no native tracing): the GenAI suite against the real client.
import Anthropic from 'anthropic0';
import { anthropicDriver } from '../../test/genai/anthropic-driver.js';
import { failureSuite } from '../../test/genai/sdk-failures.js';
import { successSuite } from '../../test/genai/sdk-suite.js';

const driver = anthropicDriver('@anthropic-ai/sdk 0.133.0', Anthropic, false);
successSuite(driver);
failureSuite(driver);
