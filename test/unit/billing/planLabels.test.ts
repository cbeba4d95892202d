import { describe, expect, it } from 'vitest';
import { isBilled, knownStatus, planTypeName, usageTypeName } from '../../../src/billing/planLabels.ts';

describe('planTypeName', () => {
  it.each([
    { code: 'TRIAL', want: 'Trial' },
    { code: 'GOOD', want: 'Email' },
    { code: 'BETTER', want: 'Email Plus' },
    { code: 'BEST', want: 'Personal Marketer' },
    { code: 'LITE', want: 'Website Builder' },
    { code: 'BRONZE', want: 'Bronze' },
    { code: 'SILVER', want: 'Silver' },
    { code: 'GOLD', want: 'Gold' },
    { code: 'good', want: 'Email' },
    { code: ' Better ', want: 'Email Plus' },
  ])('plan code "$code" is called $want', ({ code, want }) => {
    expect(planTypeName(code)).toBe(want);
  });

  it.each(['PLATINUM', 'GOOD_PLUS', '', 'toString', 'constructor', '__proto__', '<!channel>'])(
    'plan code "%s" has no name of its own',
    (code) => {
      expect(planTypeName(code)).toBeUndefined();
    },
  );
});

describe('knownStatus and isBilled', () => {
  it.each([
    { status: 'Trial', known: 'Trial', billed: false },
    { status: 'trial', known: 'Trial', billed: false },
    { status: 'Open', known: 'Open', billed: true },
    { status: 'OPEN', known: 'Open', billed: true },
    { status: ' open ', known: 'Open', billed: true },
    { status: 'Canceled', known: 'Canceled', billed: false },
    { status: 'Cancelled', known: 'Canceled', billed: false },
    { status: 'Trial End', known: 'Trial End', billed: false },
    { status: 'TRIAL_END', known: 'Trial End', billed: false },
    { status: 'TrialEnd', known: 'Trial End', billed: false },
    { status: 'Suspended', known: undefined, billed: true },
    { status: 'hasOwnProperty', known: undefined, billed: true },
    // Names of Object.prototype members are just unknown statuses, not lookups into the prototype.
    { status: 'constructor', known: undefined, billed: true },
    { status: '__proto__', known: undefined, billed: true },
    { status: null, known: undefined, billed: true },
  ])('status $status is known as $known and billed: $billed', ({ status, known, billed }) => {
    expect(knownStatus(status)).toBe(known);
    expect(isBilled(status)).toBe(billed);
  });
});

describe('usageTypeName', () => {
  it.each([
    { name: 'a code reads as a word', code: 'CONTACTS', want: 'Contacts' },
    { name: 'underscores become spaces', code: 'EMAIL_SENDS', want: 'Email sends' },
    { name: 'dashes become spaces', code: 'social-posts', want: 'Social posts' },
    { name: 'a missing usage type reads as Usage', code: null, want: 'Usage' },
    { name: 'an empty usage type reads as Usage', code: '', want: 'Usage' },
  ])('$name', ({ code, want }) => {
    expect(usageTypeName(code)).toBe(want);
  });
});
