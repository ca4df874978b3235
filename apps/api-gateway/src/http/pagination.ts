import { HttpStatus } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ProblemException } from '@hookledger/observability';

export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 250, default: 50 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(250)
  limit?: number;

  @ApiPropertyOptional({ description: 'Opaque cursor from a previous page\'s next_cursor' })
  @IsOptional() @IsString() @MaxLength(512)
  cursor?: string;
}

export interface Page<T> {
  readonly data: T[];
  readonly next_cursor: string | null;
}

/** Cursors are opaque to clients: base64url of the sort key of the last row returned. */
export function encodeCursor(key: string): string {
  return Buffer.from(JSON.stringify({ k: key })).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | null {
  if (!cursor) return null;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { k?: unknown };
    if (typeof parsed.k === 'string') return parsed.k;
  } catch {
    // fall through to the problem below
  }
  throw new ProblemException(HttpStatus.BAD_REQUEST, 'The cursor is not valid; pass next_cursor from a previous page unchanged.', {
    errors: [{ field: 'cursor', message: 'cursor is not valid' }],
  });
}

/** Given limit+1 rows, returns a page of `limit` and the cursor to the rest. */
export function toPage<R, T>(rows: R[], limit: number, keyOf: (row: R) => string, map: (row: R) => T): Page<T> {
  const more = rows.length > limit;
  const pageRows = more ? rows.slice(0, limit) : rows;
  return { data: pageRows.map(map), next_cursor: more ? encodeCursor(keyOf(pageRows[pageRows.length - 1])) : null };
}
