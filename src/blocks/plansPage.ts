import type { Button, KnownBlock } from '@slack/types';
import { formatCount } from '../billing/money.ts';
import { intervalText, priceText, setupText, trialText } from '../billing/planPricing.ts';
import { encodePlansButton, encodePlansQuery, type PlansQuery } from '../grammar/plansCommand.ts';
import { catalogPageSize } from '../billing/catalog.ts';
import type { CatalogPlan } from '../billing/catalog.ts';
import { maxOffset, type PlanSearchPage } from '../billing/catalog.ts';
import type { SlackMessage } from '../slackApi/message.ts';
import { actions, button, context, section } from './elements.ts';
import { code, safeText, truncateEscaped } from '../text/mrkdwn.ts';
import { type Audience, userMention } from './planCard.ts';

export const plansActionIds = { prev: 'plans_prev', next: 'plans_next', share: 'plans_share' } as const;

export interface PlansPageInput {
  page: PlanSearchPage;
  query: PlansQuery;
  sample: boolean;
  audience: Audience;
}

/** "matching “gold” · filter `isActive:true` · sorted by `-name`", escaped. */
export function searchDescription(q: PlansQuery): string {
  const parts: string[] = [];
  if (q.words) parts.push(`matching “${safeText(q.words, 200)}”`);
  if (q.filter) parts.push(`filter ${code(q.filter, 300)}`);
  if (q.sort) parts.push(`sorted by ${code(q.sort, 200)}`);
  return parts.join(' · ');
}

export function planText(p: CatalogPlan): string {
  const name = p.name ? `*${safeText(p.name, 200)}*` : '*(unnamed plan)*';
  const inactive = p.isActive ? '' : '  :no_entry: _inactive_';
  const lines = [`${name}  ${code(p.id, 60)}${inactive}`];
  lines.push(
    `Product ${p.productId ? code(p.productId, 60) : '_not shown_'}${p.currency ? ` · ${safeText(p.currency, 10)}` : ''}`,
  );
  lines.push(`*${safeText(priceText(p.pricing, p), 1200)}* · ${safeText(intervalText(p), 100)}`);
  const extras = [trialText(p), setupText(p)].filter((x): x is string => x !== undefined);
  if (extras.length)
    lines.push(safeText(extras.map((x, i) => (i === 0 && p.trial ? `Trial: ${x}` : `Setup: ${x}`)).join(' · '), 300));
  if (p.description) lines.push(safeText(p.description.replace(/\s+/g, ' '), 300));
  return truncateEscaped(lines.join('\n'), 3000);
}

/**
 * One page of catalog results with Prev/Next where there is a page to go to. At most `catalogPageSize`
 * plans, whatever the page holds: one more section and divider per plan would pass Slack's 50 blocks.
 */
export function plansPage(input: PlansPageInput): SlackMessage {
  const { page, query } = input;
  const plans = page.plans.slice(0, catalogPageSize);
  // What the buttons step by: the page's limit when it is a whole page size planbot could show.
  const step =
    Number.isInteger(page.limit) && page.limit >= 1 && page.limit <= catalogPageSize ? page.limit : catalogPageSize;
  const blocks: KnownBlock[] = [];
  const described = searchDescription(query);
  const first = query.offset + 1;
  const last = query.offset + plans.length;
  const total = page.total;

  if (input.sample)
    blocks.push(context(':test_tube: *Sample data* — planbot is in demo mode; this is not your catalog.'));

  if (plans.length === 0) {
    const headline =
      query.offset > 0
        ? `No more plans past ${formatCount(query.offset)}${described ? ` ${described}` : ''}.`
        : `No plans ${described || 'in the catalog'}.`;
    const advice = query.filter
      ? 'Try fewer or other words, loosen the filter, or `/plans` alone to list the whole catalog.'
      : 'Try fewer or other words, check the spelling, or `/plans` alone to list the whole catalog.';
    blocks.push(section(`${headline}\n${advice}`));
  } else {
    const of = total !== null ? ` of ${formatCount(total)}` : '';
    const noun = total === 1 ? 'plan' : 'plans';
    blocks.push(
      section(`Showing ${formatCount(first)}–${formatCount(last)}${of} ${noun}${described ? ` ${described}` : ''}`),
    );
    plans.forEach((p, i) => {
      if (i > 0) blocks.push({ type: 'divider' });
      blocks.push(section(planText(p)));
    });
  }

  const nextOffset = query.offset + step;
  const more = total !== null ? nextOffset < total : plans.length >= step;
  const canGoNext = more && nextOffset <= maxOffset;
  if (more && !canGoNext) {
    blocks.push(
      context(
        `Rebilly pages stop at result ${formatCount(maxOffset + step)}. Add words or a \`--filter\` to narrow the search.`,
      ),
    );
  }
  if (input.audience.kind === 'shared') {
    blocks.push(context(`Shared by ${userMention(input.audience.sharedBy)} · Rebilly plan catalog`));
  }

  // A shared page's Prev/Next keep saying who shared it: the button carries it.
  const sharedBy = input.audience.kind === 'shared' ? input.audience.sharedBy : undefined;
  const elements: Button[] = [];
  if (query.offset > 0) {
    elements.push(
      button(
        '◀ Prev',
        plansActionIds.prev,
        encodePlansButton({ query: { ...query, offset: Math.max(0, query.offset - step) }, sharedBy }),
      ),
    );
  }
  if (canGoNext)
    elements.push(
      button('Next ▶', plansActionIds.next, encodePlansButton({ query: { ...query, offset: nextOffset }, sharedBy })),
    );
  if (input.audience.kind === 'private' && plans.length > 0) {
    elements.push(button('Share in channel', plansActionIds.share, encodePlansQuery(query)));
  }
  if (elements.length) blocks.push(actions('plans_paging', elements));

  const summary =
    plans.length === 0
      ? `No plans ${query.words ? `matching “${query.words}”` : 'found'}`
      : `Showing ${first}–${last}${total !== null ? ` of ${total}` : ''} plans${query.words ? ` matching “${query.words}”` : ''}`;
  return { text: safeText(`${input.sample ? '[Sample data] ' : ''}${summary}`, 3000), blocks };
}
