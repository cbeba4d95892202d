import { describe, expect, it } from 'vitest';
import { parseSubscriptions } from '../../../src/partner/parse.ts';

const none = [1, 2, 3, 4].map((topicId) => ({ topicId, hookUri: null }));

describe('parseSubscriptions', () => {
  it('reads the spec’s example and fills the topics it leaves out as unsubscribed', () => {
    expect(
      parseSubscriptions([
        {
          topic_id: 2,
          hook_uri: 'https://www.examplename.com/webhooks/billingTier',
          topic_name: 'Billing Tier Downgrade',
          topic_description: "Executes when an account's billing tier is downgraded.",
        },
      ]),
    ).toEqual([
      { topicId: 1, hookUri: null },
      { topicId: 2, hookUri: 'https://www.examplename.com/webhooks/billingTier', name: 'Billing Tier Downgrade' },
      { topicId: 3, hookUri: null },
      { topicId: 4, hookUri: null },
    ]);
  });

  it('gives every topic unsubscribed for an empty list', () => {
    expect(parseSubscriptions([])).toEqual(none);
  });

  it.each([
    { name: 'a numeric string', topic_id: '3' },
    { name: 'a float', topic_id: 3.0 },
    { name: 'a float string', topic_id: '3.0' },
  ])('reads a topic id given as $name', ({ topic_id }) => {
    const parsed = parseSubscriptions([{ topic_id, hook_uri: 'https://h.example/x' }]);
    expect(parsed).toContainEqual({ topicId: 3, hookUri: 'https://h.example/x' });
  });

  it.each([
    { name: 'null', hook_uri: null },
    { name: 'missing', hook_uri: undefined },
    { name: 'blank', hook_uri: '  ' },
    { name: 'not a string', hook_uri: 42 },
  ])('takes a hook_uri that is $name as not subscribed', ({ hook_uri }) => {
    expect(parseSubscriptions([{ topic_id: 1, hook_uri, topic_name: 'Billing Tier Upgrade' }])).toContainEqual({
      topicId: 1,
      hookUri: null,
      name: 'Billing Tier Upgrade',
    });
  });

  it('keeps a topic it does not know, in topic order, and the first entry of a repeated topic', () => {
    const parsed = parseSubscriptions([
      { topic_id: 7, hook_uri: 'https://h.example/7' },
      { topic_id: 1, hook_uri: 'https://h.example/first' },
      { topic_id: 1, hook_uri: 'https://h.example/second' },
    ]);
    expect(parsed).toEqual([
      { topicId: 1, hookUri: 'https://h.example/first' },
      { topicId: 2, hookUri: null },
      { topicId: 3, hookUri: null },
      { topicId: 4, hookUri: null },
      { topicId: 7, hookUri: 'https://h.example/7' },
    ]);
  });

  it.each([
    { name: 'an object', body: { subscriptions: [] } },
    { name: 'no body', body: undefined },
    { name: 'text', body: 'Internal error' },
    { name: 'null', body: null },
  ])('finds a problem in $name', ({ body }) => {
    expect(parseSubscriptions(body)).toEqual({ problem: 'the answer is not a list of subscriptions' });
  });

  it.each([
    { name: 'no topic id', entry: { hook_uri: 'https://h.example' } },
    { name: 'a topic id of 0', entry: { topic_id: 0 } },
    { name: 'a negative topic id', entry: { topic_id: -1 } },
    { name: 'a fractional topic id', entry: { topic_id: 1.5 } },
    { name: 'a word for a topic id', entry: { topic_id: 'one' } },
    { name: 'a hex topic id', entry: { topic_id: '0x1' } },
    { name: 'a null entry', entry: null },
    { name: 'a list entry', entry: [1] },
  ])('finds a problem in an entry with $name rather than guessing', ({ entry }) => {
    expect(parseSubscriptions([{ topic_id: 1, hook_uri: 'https://h.example' }, entry])).toEqual({
      problem: 'entry 1 has no readable topic_id',
    });
  });
});
