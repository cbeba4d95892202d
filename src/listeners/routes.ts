import type {
  AllMiddlewareArgs,
  App,
  BlockButtonAction,
  SlackActionMiddlewareArgs,
  SlackCommandMiddlewareArgs,
  SlackEventMiddlewareArgs,
  SlackOptionsMiddlewareArgs,
  SlackShortcut,
  SlackShortcutMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewSubmitAction,
} from '@slack/bolt';

export type CommandListener = (args: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => Promise<void>;
export type ButtonListener = (args: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs) => Promise<void>;
type EventType = 'app_mention' | 'message' | 'app_home_opened';
export type EventListener<T extends EventType> = (
  args: SlackEventMiddlewareArgs<T> & AllMiddlewareArgs,
) => Promise<void>;
export type ShortcutListener = (args: SlackShortcutMiddlewareArgs<SlackShortcut> & AllMiddlewareArgs) => Promise<void>;
export type ViewListener = (args: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => Promise<void>;
export type OptionsListener = (
  args: SlackOptionsMiddlewareArgs<'block_suggestion'> & AllMiddlewareArgs,
) => Promise<void>;
/** A Workflow Builder step: Bolt's `function_executed`, for one callback id. */
export type FunctionListener = (
  args: SlackEventMiddlewareArgs<'function_executed'> & AllMiddlewareArgs,
) => Promise<void>;

/**
 * Where planbot's listeners register: tables by command name, button action id and event type,
 * installed on Bolt as one listener per kind of payload. Bolt runs every event through every
 * registered listener's middleware chain; with one listener per kind, a command is matched once
 * by a map lookup instead of by ten chains (about a fifth of what each command allocated).
 */
export interface Routes {
  command(name: string, listener: CommandListener): void;
  /** A button's action id, exactly or by pattern (candidate buttons carry the account in theirs). */
  action(actionId: string | RegExp, listener: ButtonListener): void;
  event<T extends EventType>(type: T, listener: EventListener<T>): void;
  /** A global or message shortcut, by callback id. */
  shortcut(callbackId: string, listener: ShortcutListener): void;
  /** A modal's submission, by the view's callback id. */
  view(callbackId: string, listener: ViewListener): void;
  /** An external select's typeahead (`block_suggestion`), by action id. */
  options(actionId: string, listener: OptionsListener): void;
  /** A custom step for Workflow Builder, by callback id. */
  function(callbackId: string, listener: FunctionListener): void;
  /** What is registered, for the manifest check. */
  readonly registered: {
    commands: string[];
    actions: Array<string | RegExp>;
    events: EventType[];
    shortcuts: string[];
    views: string[];
    options: string[];
    functions: string[];
  };
  /** Registers the dispatching listeners with Bolt; call once, after every route. */
  installOn(app: App): void;
}

export function createRoutes(): Routes {
  const commands = new Map<string, CommandListener>();
  const exactActions = new Map<string, ButtonListener>();
  const patternActions: Array<[RegExp, ButtonListener]> = [];
  const events = new Map<EventType, EventListener<EventType>>();
  const shortcuts = new Map<string, ShortcutListener>();
  const views = new Map<string, ViewListener>();
  const options = new Map<string, OptionsListener>();
  const functions = new Map<string, FunctionListener>();
  const once = <T>(table: Map<string, T>, key: string, listener: T) => {
    if (table.has(key)) throw new Error(`${key} is registered twice`);
    table.set(key, listener);
  };
  const buttonListener = (actionId: string) =>
    exactActions.get(actionId) ?? patternActions.find(([pattern]) => pattern.test(actionId))?.[1];

  return {
    command(name, listener) {
      if (commands.has(name)) throw new Error(`${name} is registered twice`);
      commands.set(name, listener);
    },
    action(actionId, listener) {
      if (typeof actionId !== 'string') return void patternActions.push([actionId, listener]);
      if (exactActions.has(actionId)) throw new Error(`${actionId} is registered twice`);
      exactActions.set(actionId, listener);
    },
    event(type, listener) {
      if (events.has(type)) throw new Error(`${type} is registered twice`);
      events.set(type, listener as unknown as EventListener<EventType>);
    },
    shortcut: (callbackId, listener) => once(shortcuts, callbackId, listener),
    view: (callbackId, listener) => once(views, callbackId, listener),
    options: (actionId, listener) => once(options, actionId, listener),
    function: (callbackId, listener) => once(functions, callbackId, listener),
    get registered() {
      return {
        commands: [...commands.keys()],
        actions: [...exactActions.keys(), ...patternActions.map(([p]) => p)],
        events: [...events.keys()],
        shortcuts: [...shortcuts.keys()],
        views: [...views.keys()],
        options: [...options.keys()],
        functions: [...functions.keys()],
      };
    },
    installOn(app) {
      // A command or button with no route is left alone, as Bolt leaves a request no listener matches.
      app.command(/^\//, async (args) => {
        await commands.get(args.command.command)?.(args);
      });
      app.action({ type: 'block_actions' }, async (args) => {
        if (args.action.type !== 'button') return;
        await buttonListener(args.action.action_id)?.(
          args as SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs,
        );
      });
      for (const [type, listener] of events) app.event(type, listener as never);
      if (shortcuts.size > 0)
        app.shortcut(/.*/, async (args) => {
          await shortcuts.get(args.shortcut.callback_id)?.(args);
        });
      if (views.size > 0)
        app.view({ type: 'view_submission' }, async (args) => {
          await views.get(args.view.callback_id)?.(
            args as SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs,
          );
        });
      if (options.size > 0)
        app.options({ type: 'block_suggestion' }, async (args) => {
          const suggestion = args as SlackOptionsMiddlewareArgs<'block_suggestion'> & AllMiddlewareArgs;
          await options.get(suggestion.payload.action_id)?.(suggestion);
        });
      // Bolt acks `function_executed` itself, and gives each step its complete() and fail().
      for (const [callbackId, listener] of functions) app.function(callbackId, listener as never);
    },
  };
}
