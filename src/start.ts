import { type Config, ConfigError, loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { createPlanbot } from './app.ts';

/** Start-up only: config → logger → planbot → listen; SIGTERM/SIGINT → stop → exit 0. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const bot = await createPlanbot({ config, logger });
  await bot.start();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ event: 'shutdown', signal }, 'shutting down');
    // Past the answers' drain (12 s) and the digest hand-back; inside Kubernetes' default 30 s grace.
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    await bot.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`planbot failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
