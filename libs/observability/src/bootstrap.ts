import 'reflect-metadata';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError, HookledgerConfig, loadConfig, LoadConfigOptions, unsafeSettings } from '@hookledger/config';
import { createPino, JsonLogger } from './logger';
import { ProblemFilter } from './problem';

export interface AppDefinition {
  readonly service: string;
  readonly config?: LoadConfigOptions;
  readonly module: (config: HookledgerConfig) => DynamicModule;
  readonly listen: (config: HookledgerConfig) => { readonly host: string; readonly port: number };
  /** Last touches before listening (body limits, OpenAPI, …). */
  readonly configure?: (app: INestApplication, config: HookledgerConfig) => void | Promise<void>;
}

/**
 * Starts one Hookledger app: configuration validated first (a bad value stops the process with a
 * message naming the variable), JSON logs, problem+json errors, graceful shutdown on SIGTERM.
 */
export async function runApp(definition: AppDefinition): Promise<INestApplication> {
  let config: HookledgerConfig;
  try {
    config = loadConfig(process.env, definition.config);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${definition.service}: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const pino = createPino(definition.service, config.logLevel);
  const logger = new JsonLogger(pino);
  process.on('unhandledRejection', (reason) => pino.error({ err: reason }, 'unhandled promise rejection'));
  const unsafe = unsafeSettings(config);
  if (unsafe.length > 0) {
    pino.warn({ environment: config.environment, unsafe_settings: unsafe }, `UNSAFE FOR PRODUCTION (${definition.service}, NODE_ENV=${config.environment}): ${unsafe.join('; ')}`);
  }

  try {
    const app = await NestFactory.create(definition.module(config), { logger, abortOnError: false });
    app.useGlobalFilters(new ProblemFilter());
    app.enableShutdownHooks();
    await definition.configure?.(app, config);
    const { host, port } = definition.listen(config);
    await app.listen(port, host);
    pino.info({ host, port, version: config.version }, `${definition.service} started`);
    return app;
  } catch (error) {
    pino.fatal({ err: error }, `${definition.service} failed to start`);
    await new Promise((resolve) => pino.flush(() => resolve(undefined)));
    process.exit(1);
  }
}
