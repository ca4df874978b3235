import { readFileSync } from 'node:fs';
import type { Checkpoint } from './checkpoint';
import { VerifyFailure, verifyExport } from './verify-export';

const USAGE = 'usage: npm run ledger:verify -- <export.ndjson> --public-key <base64> [--checkpoint <file with a checkpoint JSON obtained earlier>]';

/**
 * `npm run ledger:verify`: checks an NDJSON export offline (docs/ledger-export.md). Exit 0 with a
 * one-line summary, 1 naming the first bad record, 2 for a usage error.
 */
async function main(args: readonly string[]): Promise<number> {
  let file: string | undefined;
  let publicKey: string | undefined;
  let checkpointFile: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--public-key') publicKey = args[++i];
    else if (args[i] === '--checkpoint') checkpointFile = args[++i];
    else if (args[i].startsWith('--') || file !== undefined) return usage(`unexpected argument ${args[i]}`);
    else file = args[i];
  }
  if (file === undefined || publicKey === undefined) return usage('an export file and --public-key are required');
  if (Buffer.from(publicKey, 'base64').length !== 32) return usage('--public-key must be base64 of a 32-byte Ed25519 public key');
  let checkpoint: Checkpoint | undefined;
  try {
    if (checkpointFile !== undefined) {
      const parsed = JSON.parse(readFileSync(checkpointFile, 'utf8')) as Checkpoint | { checkpoint: Checkpoint };
      checkpoint = 'checkpoint' in parsed ? parsed.checkpoint : parsed;
    }
    const result = await verifyExport(file, { publicKey, checkpoint });
    if (!result.ok) {
      process.stderr.write(`ledger:verify FAILED at ${describe(result.failure)}\n`);
      return 1;
    }
    const { summary } = result;
    const what = summary.complete ? 'whole ledger' : `filtered export ${JSON.stringify(summary.filters)} (chains and signature only: completeness is checked on whole-ledger exports)`;
    process.stdout.write(`ledger:verify OK: ${what}: ${summary.events} events in ${summary.streams} streams, ${summary.checkpoints} signed checkpoints verified; `
      + `covered by checkpoint ${summary.covering.seq} (position ${summary.covering.position}, ${summary.covering.events} events, head ${summary.covering.head})\n`);
    return 0;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES' || error instanceof SyntaxError) return usage((error as Error).message);
    throw error;
  }
}

function describe(failure: VerifyFailure): string {
  const where = [failure.line > 0 ? `line ${failure.line}` : failure.checkpoint !== undefined ? 'the checkpoint given or the last line' : 'the last line'];
  if (failure.position !== undefined) where.push(`position ${failure.position}`);
  if (failure.stream_id !== undefined) where.push(`stream ${failure.stream_id}`);
  if (failure.version !== undefined) where.push(`version ${failure.version}`);
  return `${where.join(', ')}: ${failure.reason}`;
}

function usage(problem: string): number {
  process.stderr.write(`ledger:verify: ${problem}\n${USAGE}\n`);
  return 2;
}

main(process.argv.slice(2)).then((code) => (process.exitCode = code), (error: unknown) => {
  process.stderr.write(`ledger:verify: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 2;
});
