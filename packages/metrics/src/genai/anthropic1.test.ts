// @anthropic-ai/sdk 1.14.0 (native OpenTelemetry spans): the GenAI suite against the real client.
import Anthropic from '@anthropic-ai/sdk';
import { anthropicDriver } from '../../test/genai/anthropic-driver.js';
import { failureSuite } from '../../test/genai/sdk-failures.js';
import { anthropicNativeTracing } from '../../test/genai/sdk-specific.js';
import { successSuite } from '../../test/genai/sdk-suite.js';

const driver = anthropicDriver('@anthropic-ai/sdk 1.14.0', Anthropic, true);
successSuite(driver);
failureSuite(driver);
anthropicNativeTracing(driver);
