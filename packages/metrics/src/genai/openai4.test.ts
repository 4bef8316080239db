// openai 4.104.0: the GenAI suite against the real client and the fake provider.
import OpenAI from 'openai4';
import { openaiDriver } from '../../test/genai/openai-driver.js';
import { failureSuite } from '../../test/genai/sdk-failures.js';
import { openaiSpecific } from '../../test/genai/sdk-specific.js';
import { successSuite } from '../../test/genai/sdk-suite.js';

const driver = openaiDriver('openai 4.104.0', OpenAI);
successSuite(driver);
failureSuite(driver);
openaiSpecific(driver);
