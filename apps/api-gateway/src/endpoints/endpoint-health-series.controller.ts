import { Controller, Get, HttpStatus, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { EndpointProjection } from '@hookledger/event-store';
import { ProblemException } from '@hookledger/observability';
import { Access, OwnedBy, PORTAL_READERS } from '../auth/access';
import { notFound } from '../http/not-found';
import { EndpointHealthSeriesRepository, HealthSeriesRow } from './endpoint-health-series.repository';
import { DEFAULT_SERIES_BUCKETS, EndpointHealthSeriesQuery, EndpointHealthSeriesResource, HealthSeriesPointResource, MAX_SERIES_RANGE_S } from './endpoint-health-series.dto';

const DAY_MS = 86_400_000;

@ApiTags('endpoints')
@ApiBearerAuth()
@Controller('v1/endpoints/:id/health')
export class EndpointHealthSeriesController {
  constructor(private readonly endpoints: EndpointProjection, private readonly series: EndpointHealthSeriesRepository) {}

  @Get('series')
  @Access(PORTAL_READERS)
  @OwnedBy('endpoint')
  @ApiOperation({
    summary: 'Success rate and latency over time, for charts',
    description: 'The range [since, until) split into buckets of bucket_seconds (the range divided by buckets, rounded up; the last bucket ends at until, so there may be fewer points than buckets). Default: the last 24 h in 24 buckets; at most 96 buckets over 31 days.',
  })
  @ApiOkResponse({ type: EndpointHealthSeriesResource })
  @ApiBadRequestResponse({ description: 'since, until or buckets is not valid (problem+json naming it)' })
  @ApiNotFoundResponse({ description: 'No such endpoint' })
  async get(@Param('id') id: string, @Query() query: EndpointHealthSeriesQuery): Promise<EndpointHealthSeriesResource> {
    const { since, until, buckets, bucketSeconds } = seriesRange(query, new Date());
    const endpoint = await this.endpoints.find(id);
    if (!endpoint) throw notFound('endpoint', id);
    const rows = await this.series.series(endpoint.tenant_id, id, since, until, buckets, bucketSeconds);
    return {
      endpoint_id: id, since: since.toISOString(), until: until.toISOString(), bucket_seconds: bucketSeconds,
      points: rows.map((row) => toPoint(row, since, bucketSeconds)),
    };
  }
}

/** The range the query asks for, checked: 400 naming the parameter for one the series cannot be drawn over. */
export function seriesRange(query: EndpointHealthSeriesQuery, now: Date): { since: Date; until: Date; buckets: number; bucketSeconds: number } {
  const until = query.until ? new Date(query.until) : now;
  const since = query.since ? new Date(query.since) : new Date(until.getTime() - DAY_MS);
  const rangeS = Math.floor((until.getTime() - since.getTime()) / 1000);
  if (rangeS < 1) throw badParameter('until', 'until must be at least a second after since');
  if (rangeS > MAX_SERIES_RANGE_S) throw badParameter('since', `since..until must span at most ${MAX_SERIES_RANGE_S / 86_400} days`);
  const requested = query.buckets ?? DEFAULT_SERIES_BUCKETS;
  const bucketSeconds = Math.ceil(rangeS / requested);
  return { since, until: new Date(since.getTime() + rangeS * 1000), buckets: Math.ceil(rangeS / bucketSeconds), bucketSeconds };
}

function toPoint(row: HealthSeriesRow, since: Date, bucketSeconds: number): HealthSeriesPointResource {
  const ms = (value: number | undefined) => (value === undefined || value === null ? null : Math.round(value));
  return {
    start: new Date(since.getTime() + row.bucket * bucketSeconds * 1000).toISOString(),
    requests: row.requests,
    successes: row.successes,
    failures: row.requests - row.successes,
    success_rate: row.requests === 0 ? null : row.successes / row.requests,
    latency_ms: { p50: ms(row.latency_ms?.[0]), p95: ms(row.latency_ms?.[1]) },
  };
}

const badParameter = (field: string, message: string) => new ProblemException(HttpStatus.BAD_REQUEST, `${message}.`, { errors: [{ field, message }] });
