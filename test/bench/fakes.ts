import { json, serve } from '../helpers/http.ts';

/** Account ids `acct00001`… (valid Constant Contact-style encoded ids: letters and digits). */
export const accountId = (n: number) => `acct${String(n).padStart(5, '0')}`;

const planTypes = ['GOOD', 'BETTER', 'BEST', 'GOLD', 'TRIAL'] as const;
const currencies = ['USD', 'USD', 'USD', 'EUR', 'CAD', 'GBP'] as const;
const contactTiers = [
  { tier: 1, min: 0, max: 500, price: 20 },
  { tier: 2, min: 501, max: 1000, price: 45 },
  { tier: 3, min: 1001, max: 2500, price: 65 },
  { tier: 4, min: 2501, max: 5000, price: 95 },
  { tier: 6, min: 5001, max: 10000, price: 145 },
] as const;

/** A plausible, deterministic plan body for account n, shaped like the partner API's answer. */
export function realisticPlan(n: number): unknown {
  const planType = planTypes[n % planTypes.length] as string;
  if (planType === 'TRIAL') {
    return {
      plan_type: 'TRIAL',
      billing_status: n % 2 ? 'Trial' : 'Trial End',
      billing_day_of_month: null,
      current_tiers: [],
    };
  }
  const currency = currencies[n % currencies.length] as string;
  const contacts = contactTiers[n % contactTiers.length] as (typeof contactTiers)[number];
  const tiers: unknown[] = [
    {
      usage_type: 'CONTACTS',
      current_usage: contacts.min + ((n * 37) % (contacts.max - contacts.min)),
      tier: contacts.tier,
      tier_min: contacts.min,
      tier_max: contacts.max,
      price: contacts.price,
      currency_code: currency,
    },
  ];
  if (n % 3 === 0) {
    tiers.push({
      usage_type: 'SMS_CREDITS',
      current_usage: n % 500,
      tier: 1,
      tier_min: 0,
      tier_max: 500,
      price: 10,
      currency_code: currency,
    });
  }
  return {
    plan_type: planType,
    billing_status: n % 17 === 0 ? 'Canceled' : 'Open',
    billing_day_of_month: 1 + (n % 31),
    current_tiers: tiers,
  };
}

/** Stands in for https://slack.com/api/: `{ok:true}` to anything, so nothing leaves the machine. */
export async function startFakeSlackApi() {
  let calls = 0;
  const server = await serve((req, res) => {
    calls++;
    const method = (req.url ?? '').replace(/^\/+/, '').split(/[/?]/)[0];
    json(
      res,
      200,
      method === 'auth.test' ? { ok: true, user_id: 'UBENCHBOT', bot_id: 'BBENCHBOT', team_id: 'T0001' } : { ok: true },
    );
  });
  return { url: `${server.url}/`, calls: () => calls, close: server.close };
}

export type AnswerKind = 'card' | 'busy' | 'other';

export interface Answer {
  /** performance.now() in this process when the post had arrived in full. */
  at: number;
  kind: AnswerKind;
  text: string;
}

/**
 * Stands in for Slack's response_urls: `/hooks/<run>/<index>`. Records when each answer arrives and
 * what it was (a plan card, the "busy" refusal, or another failure).
 */
export async function startAnswerReceiver() {
  const runs = new Map<string, Map<number, Answer>>();
  let duplicates = 0;
  let unmatched = 0;
  // How many TCP connections the bot opened to post its answers (keep-alive reuse keeps this small).
  const sockets = new WeakSet<object>();
  let connections = 0;
  const server = await serve((req, res, body) => {
    const at = performance.now();
    if (!sockets.has(req.socket)) {
      sockets.add(req.socket);
      connections++;
    }
    const match = /^\/hooks\/([^/]+)\/(\d+)$/.exec(req.url ?? '');
    const answers = match ? runs.get(match[1] as string) : undefined;
    if (!match || !answers) {
      unmatched++;
      return json(res, 404, { ok: false });
    }
    const index = Number(match[2]);
    let text: string;
    let blocks: unknown[] = [];
    try {
      const parsed = JSON.parse(body) as { text?: string; blocks?: unknown[] };
      text = parsed.text ?? '';
      blocks = parsed.blocks ?? [];
    } catch {
      text = body.slice(0, 200);
    }
    const kind: AnswerKind =
      text.startsWith('Billing plan for') && blocks.length > 0 ? 'card' : /busy/i.test(text) ? 'busy' : 'other';
    if (answers.has(index)) duplicates++;
    else answers.set(index, { at, kind, text });
    json(res, 200, { ok: true });
  });
  return {
    /** A fresh set of response_urls for one run of requests. */
    run(name: string) {
      const answers = new Map<number, Answer>();
      runs.set(name, answers);
      return { answers, url: (index: number) => `${server.url}/hooks/${name}/${index}` };
    },
    duplicates: () => duplicates,
    connections: () => connections,
    unmatched: () => unmatched,
    close: server.close,
  };
}
