import { Controller, Get, HttpStatus, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { LedgerCheckpoints } from '@hookledger/event-store';
import { Checkpoint, publicKeyFingerprint } from '@hookledger/ledger';
import { ProblemException } from '@hookledger/observability';
import { Access, AUDITORS } from '../auth/access';
import { decodeNumericCursor, Page, PageOf, PageQuery, toPage } from '../http/pagination';
import { CheckpointResource, LedgerPublicKeyResource, LedgerVerificationResource, VerifyLedgerQuery } from './ledger.dto';
import { LedgerVerifier } from './ledger-verifier';

/**
 * Signed checkpoints over the whole ledger, the key they are verified with, and online
 * verification between two of them. Checkpoints and the key say nothing about any tenant, so a key
 * bound to a tenant may read them; verification walks every tenant's events and names the first
 * bad one's stream, so it needs a key not bound to a tenant.
 */
@ApiTags('audit')
@ApiBearerAuth()
@Access(AUDITORS)
@Controller('v1/audit')
export class LedgerController {
  constructor(private readonly db: DataSource, private readonly checkpoints: LedgerCheckpoints, private readonly verifier: LedgerVerifier) {}

  @Get('checkpoints')
  @ApiOperation({ summary: 'Signed ledger checkpoints, newest first' })
  @ApiOkResponse({ type: PageOf(CheckpointResource) })
  async list(@Query() query: PageQuery): Promise<Page<CheckpointResource>> {
    const limit = query.limit ?? 50;
    const before = decodeNumericCursor(query.cursor);
    const rows = await this.checkpoints.page(this.db.manager, before === null ? null : Number(before), limit + 1);
    return toPage(rows, limit, (checkpoint) => String(checkpoint.seq), (checkpoint) => checkpoint);
  }

  @Get('checkpoints/latest')
  @ApiOperation({ summary: 'The latest signed ledger checkpoint' })
  @ApiOkResponse({ type: CheckpointResource })
  @ApiNotFoundResponse({ description: 'No checkpoint has been signed yet' })
  async latest(): Promise<CheckpointResource> {
    const checkpoint = await this.checkpoints.latest(this.db.manager);
    if (!checkpoint) throw new ProblemException(HttpStatus.NOT_FOUND, 'No ledger checkpoint has been signed yet.');
    return checkpoint;
  }

  @Get('checkpoints/:seq')
  @ApiOperation({ summary: 'One signed ledger checkpoint' })
  @ApiParam({ name: 'seq', type: Number, example: 42 })
  @ApiOkResponse({ type: CheckpointResource })
  @ApiNotFoundResponse({ description: 'No such checkpoint' })
  async one(@Param('seq') seq: string): Promise<CheckpointResource> {
    const checkpoint: Checkpoint | null = await this.checkpoints.get(this.db.manager, parseSeq(seq));
    if (!checkpoint) throw new ProblemException(HttpStatus.NOT_FOUND, `Ledger checkpoint ${seq} does not exist.`);
    return checkpoint;
  }

  @Get('public-key')
  @ApiOperation({ summary: "The Ed25519 public key checkpoints are verified with, from this server's configuration (never from the database)" })
  @ApiOkResponse({ type: LedgerPublicKeyResource })
  publicKey(): LedgerPublicKeyResource {
    return { algorithm: 'Ed25519', public_key: this.verifier.publicKey.toString('base64'), fingerprint: publicKeyFingerprint(this.verifier.publicKey) };
  }

  @Get('verify')
  @Access(AUDITORS, { acrossTenants: true })
  @ApiOperation({ summary: 'Verifies the ledger between two checkpoints: every event hash, the chain, each checkpoint signature; names the first bad position' })
  @ApiOkResponse({ type: LedgerVerificationResource })
  @ApiNotFoundResponse({ description: 'No such checkpoint, or none signed yet' })
  verify(@Query() query: VerifyLedgerQuery): Promise<LedgerVerificationResource> {
    return this.verifier.verify(query.from, query.to);
  }
}

function parseSeq(seq: string): number {
  if (!/^\d{1,10}$/.test(seq) || Number(seq) < 1 || Number(seq) > 2_147_483_647) {
    throw new ProblemException(HttpStatus.BAD_REQUEST, `${seq} is not a checkpoint seq; checkpoints are numbered 1, 2, 3, …`, {
      errors: [{ field: 'seq', message: 'seq must be a whole number from 1' }],
    });
  }
  return Number(seq);
}
