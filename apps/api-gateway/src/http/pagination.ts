import { HttpStatus, Type as Class } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ProblemException } from '@hookledger/observability';

export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 250, default: 50 })
  // Digits only: Number() would also read '0x10', '1e2' and ' 5 '.
  @IsOptional() @Transform(({ value }) => (typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value)) @IsInt() @Min(1) @Max(250)
  limit?: number;

  @ApiPropertyOptional({ description: 'Opaque cursor from a previous page\'s next_cursor' })
  @IsOptional() @IsString() @MaxLength(512)
  cursor?: string;
}

export interface Page<T> {
  readonly data: T[];
  readonly next_cursor: string | null;
}

const pageClasses = new Map<Class, Class>();

/**
 * The OpenAPI schema of a page of `item`s, named `<Item>Page` so generated clients get a real
 * type for each list answer: `@ApiOkResponse({ type: PageOf(EndpointResource) })`.
 */
export function PageOf<T>(item: Class<T>): Class<Page<T>> {
  let page = pageClasses.get(item);
  if (!page) {
    class ItemPage {
      @ApiProperty({ type: [item] }) data!: T[];
      @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor to get the next page; null on the last page' }) next_cursor!: string | null;
    }
    Object.defineProperty(ItemPage, 'name', { value: `${item.name.replace(/Resource$/, '')}Page` });
    page = ItemPage;
    pageClasses.set(item, page);
  }
  return page as Class<Page<T>>;
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
  throw invalidCursor();
}

/** A cursor over a numeric key (a sequence, an attempt number): refused before it reaches SQL as a bad bigint. */
export function decodeNumericCursor(cursor: string | undefined): string | null {
  const key = decodeCursor(cursor);
  if (key !== null && !/^\d{1,18}$/.test(key)) throw invalidCursor();
  return key;
}

const invalidCursor = () =>
  new ProblemException(HttpStatus.BAD_REQUEST, 'The cursor is not valid; pass next_cursor from a previous page unchanged.', {
    errors: [{ field: 'cursor', message: 'cursor is not valid' }],
  });

/** Given limit+1 rows, returns a page of `limit` and the cursor to the rest. */
export function toPage<R, T>(rows: R[], limit: number, keyOf: (row: R) => string, map: (row: R) => T): Page<T> {
  const more = rows.length > limit;
  const pageRows = more ? rows.slice(0, limit) : rows;
  return { data: pageRows.map(map), next_cursor: more ? encodeCursor(keyOf(pageRows[pageRows.length - 1])) : null };
}
