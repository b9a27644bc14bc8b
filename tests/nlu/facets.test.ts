import { describe, it, expect } from 'vitest';
import { createFacetDetector } from '../../src/nlu/facets.js';

const detector = createFacetDetector([
  { facet: 'duration', text: '要多久' },
  { facet: 'conditions', text: '需要满足什么条件' },
  { facet: 'cost', text: 'is there a fee' },
  { facet: 'cost', text: 'is it free' },
  { facet: 'duration', text: 'how long does it take' },
]);

describe('createFacetDetector', () => {
  it('finds the phrase that covers most of the message, with most of its tokens', () => {
    expect(detector.detect('注销账号要多久')).toMatchObject({ facet: 'duration', phrase: '要多久' });
    expect(detector.detect('要满足什么条件')).toMatchObject({ facet: 'conditions' });
    expect(detector.detect('微信怎么注销')).toBeNull();
  });

  it('finds an English phrase whose words the message has', () => {
    expect(detector.detect('is there a fee for that')).toMatchObject({ facet: 'cost', phrase: 'is there a fee' });
    expect(detector.detect('how long does it take to unfreeze')).toMatchObject({ facet: 'duration' });
    expect(detector.detect('is it free')).toMatchObject({ facet: 'cost' });
  });

  it('needs one of an English phrase\'s content words, not only its function words', () => {
    // "is there a" is most of "is there a fee", but the message asks for a human, not a fee.
    expect(detector.detect('is there a human i can email or call')).toBeNull();
    expect(detector.detect('is it over')).toBeNull();
  });
});
