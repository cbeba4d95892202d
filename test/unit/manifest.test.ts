import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { candidatesMessage } from '../../src/blocks/accountMatches.ts';
import { alertShowPlanActionId } from '../../src/blocks/alertMessages.ts';
import { homeActionIds } from '../../src/blocks/homeView.ts';
import { lookupIds } from '../../src/blocks/lookupModal.ts';
import { shareActionId } from '../../src/blocks/planCard.ts';
import { plansActionIds } from '../../src/blocks/plansPage.ts';
import { radarActionIds } from '../../src/blocks/radarMessage.ts';
import { stepOutputParameters } from '../../src/blocks/workflowStep.ts';
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
    radar: unused,
    status: unused,
    files: unused,
    views: unused,
    home: unused,
    finder: unused,
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
    const fromCode = new Set<string>(code.events.map((e) => (e === 'message' ? 'message.im' : e)));
    // Workflow steps arrive as `function_executed`, which Slack wants subscribed for Bolt's functions.
    if (code.functions.length > 0) fromCode.add('function_executed');
    expect(new Set(declared)).toEqual(fromCode);
  });

  it('declares exactly the Workflow steps the code handles, with every output it can give', () => {
    const functions = manifest.functions as Record<
      string,
      {
        title: string;
        input_parameters: Record<string, { type: string; is_required?: boolean }>;
        output_parameters: Record<string, { type: string; is_required?: boolean }>;
      }
    >;
    expect(Object.keys(functions).sort()).toEqual([...code.functions].sort());
    // Custom steps need an org-ready app, and Bolt's run outside Slack.
    expect(manifest.settings.org_deploy_enabled).toBe(true);
    expect(manifest.settings.function_runtime).toBe('remote');
    const step = functions.get_billing_plan!;
    expect(step.title).toBeTruthy();
    expect(step.input_parameters).toEqual({ account: expect.objectContaining({ type: 'string', is_required: true }) });
    const declared = Object.fromEntries(
      Object.entries(step.output_parameters).map(([name, p]) => [
        name,
        { type: p.type, required: p.is_required === true },
      ]),
    );
    // An output the code may leave out must not be required, or Slack would refuse the completion.
    expect(declared).toEqual(stepOutputParameters);
  });

  it('declares exactly the shortcuts the code handles, and the Home tab and typeahead they need', () => {
    const shortcuts = manifest.features.shortcuts as Array<{
      callback_id: string;
      type: string;
      name: string;
      description: string;
    }>;
    expect(shortcuts.map((s) => s.callback_id).sort()).toEqual([...code.shortcuts].sort());
    expect(Object.fromEntries(shortcuts.map((s) => [s.callback_id, s.type]))).toEqual({
      lookup_plan: 'global',
      plan_from_message: 'message',
    });
    // Slack's limits: a name of 24 characters, a description of 150.
    for (const s of shortcuts) expect(s.name.length <= 24 && s.description.length <= 150).toBe(true);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(code.events).toContain('app_home_opened');
    // The modal the shortcut opens, and its typeahead.
    expect(code.views).toEqual([lookupIds.view]);
    expect(code.options).toEqual([lookupIds.account]);
    expect(manifest.settings.interactivity.message_menu_options_url).toBe(manifest.settings.interactivity.request_url);
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
    const rendered = [
      shareActionId,
      ...Object.values(plansActionIds),
      alertShowPlanActionId,
      ...Object.values(radarActionIds),
      ...Object.values(homeActionIds),
      ...candidateIds,
    ];
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
      'files:write',
      'groups:read',
      'im:history',
      'im:read',
      'im:write',
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
      manifest.settings.interactivity.message_menu_options_url,
      manifest.settings.event_subscriptions.request_url,
    ];
    for (const url of urls) expect(new URL(url).pathname).toBe('/slack/events');
  });
});
