import { describe, expect, it } from 'vitest';
import { formatCount, formatMoney } from '../../../src/billing/money.ts';

describe('formatMoney', () => {
  it.each([
    { name: 'US dollars from the API’s 20.00000 show as $20.00', amount: 20.0, currency: 'USD', want: '$20.00' },
    { name: 'US dollars round to cents', amount: 19.999, currency: 'USD', want: '$20.00' },
    { name: 'euros show with the euro sign', amount: 15.5, currency: 'EUR', want: '€15.50' },
    { name: 'pounds show with the pound sign', amount: 15.5, currency: 'GBP', want: '£15.50' },
    { name: 'Canadian dollars are told apart from US dollars', amount: 9.99, currency: 'CAD', want: 'CA$9.99' },
    { name: 'Australian dollars are told apart from US dollars', amount: 9.99, currency: 'AUD', want: 'A$9.99' },
    { name: 'yen have no decimals', amount: 1200, currency: 'JPY', want: '¥1,200' },
    { name: 'yen round to whole yen', amount: 1200.6, currency: 'JPY', want: '¥1,201' },
    { name: 'a lowercase code is read as the same currency', amount: 20, currency: 'usd', want: '$20.00' },
    {
      name: 'a code with spaces around it is read as the same currency',
      amount: 20,
      currency: ' eur ',
      want: '€20.00',
    },
    {
      name: 'an unknown currency code falls back to the amount followed by the code',
      amount: 20,
      currency: 'XYZ',
      want: '20.00 XYZ',
    },
    {
      name: 'a code that is not three letters falls back to the amount followed by the code',
      amount: 20,
      currency: 'DOLLARS',
      want: '20.00 DOLLARS',
    },
    { name: 'a missing currency shows the bare amount', amount: 20, currency: null, want: '20.00' },
    { name: 'an empty currency shows the bare amount', amount: 20, currency: '  ', want: '20.00' },
    { name: 'large amounts get thousands separators', amount: 1234567.891, currency: 'USD', want: '$1,234,567.89' },
    {
      name: 'large amounts without a currency get separators too',
      amount: 1234567.891,
      currency: null,
      want: '1,234,567.89',
    },
    { name: 'zero is shown, not hidden', amount: 0, currency: 'USD', want: '$0.00' },
  ])('$name', ({ amount, currency, want }) => {
    expect(formatMoney(amount, currency)).toBe(want);
  });
});

describe('formatCount', () => {
  it.each([
    { name: 'whole counts get thousands separators', n: 12500, want: '12,500' },
    { name: 'small counts are unchanged', n: 1, want: '1' },
    { name: 'zero is 0', n: 0, want: '0' },
    { name: 'fractions keep at most two places', n: 1.23456, want: '1.23' },
    { name: 'whole numbers sent as 1.0 show no decimals', n: 1.0, want: '1' },
    { name: 'millions get every separator', n: 2500000, want: '2,500,000' },
  ])('$name', ({ n, want }) => {
    expect(formatCount(n)).toBe(want);
  });
});
