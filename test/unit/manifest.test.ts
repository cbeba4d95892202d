import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { candidatesMessage } from '../../src/blocks/accountMatches.ts';
import { alertShowPlanActionId } from '../../src/blocks/alertMessages.ts';
import { shareActionId } from '../../src/blocks/planCard.ts';
import { plansActionIds } from '../../src/blocks/plansPage.ts';
import { createInflight } from '../../src/lifecycle/inflight.ts';
import { createLogger } from '../../src/logger.ts';
import { registerListeners } from '../../src/listeners/index.ts';
import { createRoutes } from '../../src/listeners/routes.ts';

const manifest = parse(readFileSync(join(import.meta.dirname, '../../manifest.yml'), 'utf8'));

/** planbot's real registration, as its route table records it. */
function registered() {
  const routes = createRoutes();
  const unused = {} as never;
  registerListeners(routes, {
    plan: unused,
    plans: unused,
    watch: unused,
    digestSettings: unused,
    alerts: unused,
    store: unused,
    logger: createLogger('silent'),
    now: Date.now,
    inflight: createInflight(),
    respond: unused,
    demoAccounts: undefined,
    sample: false,
    access: unused,
    audit: unused,
  });
  return routes.registered;
}

describe('manifest.yml', () => {
  const code = registered();

  it('declares exactly the slash commands the code handles', () => {
    const declared = (manifest.features.slash_commands as Array<{ command: string }>).map((c) => c.command);
    expect([...declared].sort()).toEqual([...code.commands].sort());
  });

  it('declares exactly the bot events the code handles', () => {
    const declared = manifest.settings.event_subscriptions.bot_events as string[];
    // Bolt registers one `message` listener; the manifest names the conversation types it covers.
    const fromCode = new Set(code.events.map((e) => (e === 'message' ? 'message.im' : e)));
    expect(new Set(declared)).toEqual(fromCode);
  });

  it('enables interactivity, and every button planbot renders has a handler', () => {
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    // Action ids as planbot renders them: candidate buttons carry the account id in theirs.
    const facts = { builtAt: 0, accounts: 2, now: 0 };
    const accounts = [
      {
        id: 'a07eacme0001',
        organizationName: 'Acme',
        siteOwnerName: null,
        billingStatus: 'Open',
        subscriberCount: 1,
        lastLoginDate: null,
      },
      {
        id: 'a07eacme0002',
        organizationName: 'Acme',
        siteOwnerName: null,
        billingStatus: 'Open',
        subscriberCount: 2,
        lastLoginDate: null,
      },
    ];
    const candidateIds = (['plan', 'watch', 'unwatch'] as const).flatMap((purpose) =>
      candidatesMessage(
        { kind: 'candidates', words: 'acme', candidates: accounts, index: facts },
        purpose,
      ).blocks.flatMap((b) =>
        'accessory' in b && b.accessory && 'action_id' in b.accessory ? [String(b.accessory.action_id)] : [],
      ),
    );
    expect(candidateIds).toHaveLength(6);
    const rendered = [shareActionId, ...Object.values(plansActionIds), alertShowPlanActionId, ...candidateIds];
    const handles = (handler: string | RegExp, id: string) =>
      typeof handler === 'string' ? handler === id : handler.test(id);
    // Every rendered button has exactly one handler, and every handler has a button.
    for (const id of rendered)
      expect(
        code.actions.filter((h) => handles(h, id)),
        id,
      ).toHaveLength(1);
    for (const handler of code.actions)
      expect(
        rendered.some((id) => handles(handler, id)),
        String(handler),
      ).toBe(true);
  });

  it('asks for the scopes those events and answers need, and no others', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([
      'app_mentions:read',
      'channels:read',
      'chat:write',
      'commands',
      'groups:read',
      'im:history',
      'im:read',
      'mpim:read',
      'reactions:write',
      'usergroups:read',
      'users:read',
    ]);
    expect(manifest.features.app_home.messages_tab_enabled).toBe(true);
  });

  it('sends every Slack request to /slack/events', () => {
    const urls = [
      ...(manifest.features.slash_commands as Array<{ url: string }>).map((c) => c.url),
      manifest.settings.interactivity.request_url,
      manifest.settings.event_subscriptions.request_url,
    ];
    for (const url of urls) expect(new URL(url).pathname).toBe('/slack/events');
  });
});
