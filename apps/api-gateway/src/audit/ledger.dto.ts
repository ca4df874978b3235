import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

const MAX_SEQ = 2_147_483_647;
// Digits only: Number() would also read '0x10', '1e2' and ' 5 '.
const toSeq = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value);

export class CheckpointResource {
  @ApiProperty({ example: 42, description: '1, 2, 3, … in the order they were signed' }) seq!: number;
  @ApiProperty({ example: '420000', description: 'How many events the ledger holds up to and including the last covered one (a string: it can pass 2^53)' })
  events!: string;
  @ApiProperty({ example: '421337', description: 'Global position of the last covered event' }) position!: string;
  @ApiProperty({ example: '918273', description: 'Transaction id of the last covered event: with position, the cursor in ledger order' })
  transaction_id!: string;
  @ApiProperty({ description: 'The ledger head after the last covered event (hex SHA-256)' }) head!: string;
  @ApiProperty({ description: 'The head the previous checkpoint signed (hex; 64 zeros for the first)' }) previous_head!: string;
  @ApiProperty({ example: '2026-11-30T00:00:00.000Z' }) signed_at!: string;
  @ApiProperty({ description: 'Base64 of the 32-byte Ed25519 public key that signed it: informative only, trust the key from GET /v1/audit/public-key' })
  public_key!: string;
  @ApiProperty({ description: 'Base64 of the 64-byte Ed25519 signature over the checkpoint statement (see docs/ledger-checkpoints.md)' })
  signature!: string;
}

export class LedgerPublicKeyResource {
  @ApiProperty({ example: 'Ed25519' }) algorithm!: 'Ed25519';
  @ApiProperty({ description: 'Base64 of the 32 raw bytes of the public key checkpoints are verified with' }) public_key!: string;
  @ApiProperty({ example: '3f9a0c1d2e4b5a69', description: "The first 16 hex digits of the public key's SHA-256, to compare keys by" })
  fingerprint!: string;
}

export class VerifyLedgerQuery {
  @ApiPropertyOptional({ minimum: 0, description: 'The checkpoint to start from, trusted once its signature holds (default, or 0: genesis)' })
  @IsOptional() @Transform(toSeq) @IsInt({ message: 'from must be a checkpoint seq (a whole number)' }) @Min(0) @Max(MAX_SEQ)
  from?: number;

  @ApiPropertyOptional({ minimum: 1, description: 'The checkpoint to verify up to (default: the latest)' })
  @IsOptional() @Transform(toSeq) @IsInt({ message: 'to must be a checkpoint seq (a whole number)' }) @Min(1) @Max(MAX_SEQ)
  to?: number;
}

export class LedgerFaultResource {
  @ApiProperty({ type: String, nullable: true, description: 'Global position of the first event that does not hold (for a chain head mismatch: the first event after the last checkpoint that held)' })
  position!: string | null;
  @ApiProperty({ type: String, nullable: true }) stream_id!: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'The event’s version in its stream' }) version!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'The checkpoint at which the fault was found' }) checkpoint!: number | null;
  @ApiProperty({ example: 'hash mismatch: the event does not hash to its stored hash', description: 'What failed' }) reason!: string;
}

export class LedgerVerificationResource {
  @ApiProperty({ description: 'Every event between the two checkpoints hashes as stored, and every checkpoint on the way is signed by the configured key over exactly these events' })
  intact!: boolean;
  @ApiProperty({ example: 0, description: 'The checkpoint verified from (0: genesis)' }) from!: number;
  @ApiProperty({ example: 42, description: 'The checkpoint verified up to' }) to!: number;
  @ApiProperty({ description: 'Events whose hash was recomputed and folded into the chain' }) events_checked!: number;
  @ApiProperty({ description: 'Checkpoints whose signature and head held' }) checkpoints_checked!: number;
  @ApiProperty({ type: LedgerFaultResource, nullable: true, description: 'The first thing that did not hold; null when intact' })
  first_bad!: LedgerFaultResource | null;
}
