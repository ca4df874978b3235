import * as path from 'node:path';
import { Client } from 'pg';
import { register } from 'tsconfig-paths';
import { compilerOptions } from '../tsconfig.json';

// Jest's moduleNameMapper does not reach global setup: the migration runner imports the projectors
// (it rebuilds the projections a migration names), which import the libs by their `@hookledger/…`
// paths, so those are mapped here the way tsconfig.json maps them for the compiler.
register({ baseUrl: path.resolve(__dirname, '..', compilerOptions.baseUrl ?? '.'), paths: compilerOptions.paths });
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { migrate } = require('../libs/event-store/src/migrate') as typeof import('../libs/event-store/src/migrate');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DEFAULT_APP_ROLE } = require('../libs/event-store/src/app-role') as typeof import('../libs/event-store/src/app-role');

/**
 * Runs once per `jest` tier that touches infrastructure: finds or starts Postgres and NATS exactly
 * as `npm start` does (scripts/infra.js: an embedded Postgres and `nats-server -js` under .data/
 * when nothing answers), then builds the migrated template database that every test database is
 * cloned from (a clone is a file copy, far faster than migrating per spec file).
 * test/global-teardown.ts stops whatever was started here.
 */
/** One template per run, so two runs on one server (a developer and CI) never rebuild each other's. */
const templateName = () => `hookledger_template_${process.pid}_${Date.now().toString(36)}`;

export interface InfrastructureHandle {
  readonly started: boolean;
  readonly description: string;
  stop(): Promise<void>;
}

interface Infrastructure {
  ensurePostgres(databaseUrl: string, options: { dataDir: string }): Promise<InfrastructureHandle>;
  ensureNats(natsUrl: string, options: { dataDir: string }): Promise<InfrastructureHandle>;
}

/** Global setup and teardown run in the same process: the handles travel on globalThis. */
export const startedInfrastructure = (): InfrastructureHandle[] => {
  const holder = globalThis as typeof globalThis & { __hookledgerInfrastructure?: InfrastructureHandle[] };
  return (holder.__hookledgerInfrastructure ??= []);
};

// eslint-disable-next-line @typescript-eslint/no-require-imports
const infra = require('../scripts/infra.js') as Infrastructure;
const DATA = path.resolve(__dirname, '..', '.data');

export default async function globalSetup(): Promise<void> {
  const server = process.env.HOOKLEDGER_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
  process.env.HOOKLEDGER_TEST_PG_URL = server;
  process.env.HOOKLEDGER_TEST_NATS_URL ??= 'nats://127.0.0.1:4222';

  const started = startedInfrastructure();
  try {
    started.push(await infra.ensurePostgres(`${server}/postgres`, { dataDir: path.join(DATA, 'postgres') }));
    started.push(await infra.ensureNats(process.env.HOOKLEDGER_TEST_NATS_URL, { dataDir: path.join(DATA, 'nats') }));

    // The template is migrated as the owner; what the apps connect as (TestDatabase.url) is the apps'
    // role it grants, so every spec runs the code under least privilege as deployed.
    const appRole = { name: process.env.HOOKLEDGER_TEST_APP_ROLE ?? DEFAULT_APP_ROLE, password: new URL(server).password || undefined };
    const template = templateName();
    await migrate(`${server}/${template}`, { appRole });
    process.env.HOOKLEDGER_TEST_TEMPLATE = template;
    process.env.HOOKLEDGER_TEST_APP_PG_URL = withUser(server, appRole.name);
    started.push({ started: true, description: `template database ${template}`, stop: () => dropDatabase(server, template) });
  } catch (error) {
    // Jest runs no teardown when the setup fails: stop here what was started.
    while (started.length > 0) await started.pop()?.stop();
    throw error;
  }
}

/** The server URL as `user`, with the same password (the template gives the apps' role the owner's). */
function withUser(server: string, user: string): string {
  const url = new URL(server);
  url.username = encodeURIComponent(user);
  return url.toString().replace(/\/$/, '');
}

async function dropDatabase(server: string, name: string): Promise<void> {
  const admin = new Client({ connectionString: `${server}/postgres` });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
