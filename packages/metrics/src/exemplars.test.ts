import { describe, expect, it } from 'vitest';
import { exemplarLabels } from './exemplars.js';

const IDS = { trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: 'b7ad6b7169203331' };

describe('exemplarLabels', () => {
  it('adds extra labels while they fit the 128-character OpenMetrics budget', () => {
    expect(exemplarLabels(IDS, { workflow_id: 'wf-1' })).toEqual({ ...IDS, workflow_id: 'wf-1' });
    expect(exemplarLabels(IDS, { workflow_id: 'x'.repeat(80) })).toEqual(IDS);
    expect(exemplarLabels(undefined, { workflow_id: 'wf-1' })).toEqual({ workflow_id: 'wf-1' });
  });

  it('leaves out a value with "}", which parsers that end an exemplar there would reject', () => {
    // Found by the property test: `# {workflow_id="\"}x"}` failed the Python OpenMetrics parser.
    expect(exemplarLabels(IDS, { workflow_id: '"}__overflow__' })).toEqual(IDS);
    expect(exemplarLabels(undefined, { workflow_id: 'a}b' })).toBeUndefined();
  });
});
