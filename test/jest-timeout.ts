// Jest 29 ignores testTimeout inside a project, so each infrastructure tier sets its own here.
jest.setTimeout(Number(process.env.HOOKLEDGER_TEST_TIMEOUT_MS ?? 120_000));
