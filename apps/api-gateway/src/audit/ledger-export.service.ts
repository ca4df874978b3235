import { Injectable, Logger } from '@nestjs/common';
import type { Pool } from 'pg';
import QueryStream from 'pg-query-stream';
import { Transform, TransformCallback, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DataSource } from 'typeorm';
import type { Checkpoint } from '@hookledger/ledger';
import type { ExportFormat } from './audit-export.dto';
import { checkpointLine, checkpointOf, checkpointRow, CSV_HEADER, eventLine, eventRow, ExportSummary } from './export-records';
import { CheckpointRow, CHECKPOINTS_AFTER, EXPORT_EVENTS, ExportRow, LATEST_CHECKPOINT } from './ledger-export.sql';

export interface ExportFilters {
  readonly tenant_id?: string;
  readonly endpoint_id?: string;
  readonly event_type?: string;
  readonly since?: string;
  readonly until?: string;
}

export interface ExportRequest {
  readonly format: ExportFormat;
  readonly filters: ExportFilters;
  readonly covering: Checkpoint;
}

/** Rows fetched per round trip, and the most the API holds before the client has read them. */
const BATCH_ROWS = 500;
const CHECKPOINT_PAGE = 100;

/**
 * Streams the ledger up to a signed checkpoint: a server-side cursor read a batch at a time, only
 * as fast as the client takes the file (backpressure all the way), so memory stays flat however
 * large the ledger is. A client that goes away destroys the pipeline: the cursor's connection is
 * discarded rather than returned to the pool mid-query.
 */
@Injectable()
export class LedgerExportService {
  private readonly logger = new Logger('LedgerExport');

  constructor(private readonly db: DataSource) {}

  async coveringCheckpoint(): Promise<Checkpoint | null> {
    const rows: CheckpointRow[] = await this.db.query(LATEST_CHECKPOINT);
    return rows.length === 0 ? null : checkpointOf(rows[0]);
  }

  /** Writes the export into `out` (headers already sent); a failure midway ends `out` early, never with a complete-looking file. */
  async write(request: ExportRequest, out: Writable): Promise<void> {
    const { covering, filters } = request;
    const pool = (this.db.driver as unknown as { master: Pool }).master;
    const client = await pool.connect();
    let failure: Error | undefined;
    try {
      // The pool's statement_timeout would cut a long export short: the cursor is one statement for
      // as long as the client takes to read it. SET LOCAL ends with the transaction.
      await client.query('BEGIN READ ONLY');
      await client.query('SET LOCAL statement_timeout = 0');
      const rows = client.query(new QueryStream(EXPORT_EVENTS, [
        covering.transaction_id, covering.position, filters.tenant_id ?? null, filters.endpoint_id ?? null, filters.event_type ?? null,
        filters.since ?? null, filters.until ?? null,
      ], { rowMode: 'array', batchSize: BATCH_ROWS, highWaterMark: BATCH_ROWS }));
      await pipeline(rows, new ExportRecords(request, (after) => this.checkpointsAfter(after, covering.seq)), out);
      await client.query('COMMIT');
    } catch (error) {
      failure = error as Error;
      const aborted = failure.message.includes('Premature close') || (failure as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE';
      if (aborted) this.logger.log({ msg: 'ledger export stopped: the client went away', checkpoint: covering.seq });
      else this.logger.error({ msg: 'ledger export failed', checkpoint: covering.seq, error: failure.message });
      out.destroy(failure);
    } finally {
      // An interrupted cursor leaves the connection mid-protocol: close it instead of pooling it.
      client.release(failure);
    }
  }

  private async checkpointsAfter(seq: number, upTo: number): Promise<Checkpoint[]> {
    const rows: CheckpointRow[] = await this.db.query(CHECKPOINTS_AFTER, [seq, upTo, CHECKPOINT_PAGE]);
    return rows.map(checkpointOf);
  }
}

/**
 * Rows → NDJSON lines or CSV rows. A whole-ledger export carries every checkpoint right after the
 * event it covers, so a verifier can tell between which two checkpoints damage lies; every export
 * ends with the covering checkpoint and what the export holds.
 */
class ExportRecords extends Transform {
  private readonly whole: boolean;
  private readonly pending: { checkpoint: Checkpoint; transactionId: bigint; position: bigint }[] = [];
  private lastSeq = 0;
  private exhausted: boolean;
  private events = 0;
  private started = false;

  constructor(private readonly request: ExportRequest, private readonly checkpointsAfter: (seq: number) => Promise<Checkpoint[]>) {
    super({ writableObjectMode: true, readableObjectMode: false });
    this.whole = Object.keys(request.filters).length === 0;
    this.exhausted = !this.whole;
  }

  override _transform(row: ExportRow, _encoding: BufferEncoding, done: TransformCallback): void {
    let out = this.started ? '' : this.header();
    this.started = true;
    this.events++;
    out += this.request.format === 'csv' ? eventRow(row) : eventLine(row);
    if (!this.whole) return done(null, out);
    this.emitCovered(BigInt(row[1]), BigInt(row[0]), out, done);
  }

  override _flush(done: TransformCallback): void {
    const out = this.started ? '' : this.header();
    this.started = true;
    // Checkpoints whose event is not in the ledger any more still go out: the verifier names them.
    const last = (text: string) => done(null, text + this.render(this.request.covering, this.summary()));
    if (this.whole) this.emitCovered(BigInt(this.request.covering.transaction_id) + 1n, 0n, out, (error, text) => (error ? done(error) : last(text as string)));
    else last(out);
  }

  /** Appends every checkpoint whose cursor is at or before (transactionId, position), fetching them a page at a time. */
  private emitCovered(transactionId: bigint, position: bigint, out: string, done: TransformCallback): void {
    let text = out;
    while (this.pending.length > 0) {
      const next = this.pending[0];
      if (next.transactionId > transactionId || (next.transactionId === transactionId && next.position > position)) return done(null, text);
      text += this.render(next.checkpoint);
      this.pending.shift();
    }
    if (this.exhausted) return done(null, text);
    this.checkpointsAfter(this.lastSeq).then((page) => {
      if (page.length === 0) this.exhausted = true;
      for (const checkpoint of page) this.pending.push({ checkpoint, transactionId: BigInt(checkpoint.transaction_id), position: BigInt(checkpoint.position) });
      this.lastSeq = page.at(-1)?.seq ?? this.lastSeq;
      this.emitCovered(transactionId, position, text, done);
    }, done);
  }

  private header(): string {
    return this.request.format === 'csv' ? CSV_HEADER : '';
  }

  private render(checkpoint: Checkpoint, summary?: ExportSummary): string {
    return this.request.format === 'csv' ? checkpointRow(checkpoint, summary) : checkpointLine(checkpoint, summary);
  }

  private summary(): ExportSummary {
    return { filters: { ...this.request.filters }, events: this.events, complete: this.whole };
  }
}
