import { Controller, DynamicModule, Get, HttpStatus, Module, Res, SetMetadata } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { TerminusModule, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { HookledgerConfig } from '@hookledger/config';
import { MessagingHealth } from '@hookledger/messaging';
import { PUBLIC_ROUTE } from './public-route';

interface Check {
  readonly status: 'up' | 'down';
  readonly [detail: string]: unknown;
}

export class HealthReport {
  @ApiProperty({ enum: ['ok', 'error'] }) status!: 'ok' | 'error';
  @ApiProperty({ example: 'api-gateway' }) service!: string;
  @ApiProperty({ example: '0.1.0' }) version!: string;
  @ApiProperty({ nullable: true, description: 'Active event types; null when Postgres does not answer' }) event_types!: number | null;
  @ApiProperty() timestamp!: string;
  @ApiProperty({
    type: 'object', additionalProperties: { type: 'object', properties: { status: { type: 'string', enum: ['up', 'down'] } }, additionalProperties: true },
    example: { postgres: { status: 'up', latency_ms: 2 }, nats: { status: 'up' } },
  })
  checks!: Record<string, Check>;
}

/** The app's name, as /health reports it. */
export class ServiceName {
  constructor(readonly name: string) {}
}

/** GET /health: `{status, service, version, event_types, timestamp, checks}`; 503 when Postgres or NATS is down. */
@ApiTags('health')
@Controller('health')
@SetMetadata(PUBLIC_ROUTE, true)
export class HealthController {
  constructor(
    private readonly db: DataSource,
    private readonly postgres: TypeOrmHealthIndicator,
    private readonly nats: MessagingHealth,
    private readonly config: HookledgerConfig,
    private readonly service: ServiceName,
  ) {}

  @Get()
  @ApiOkResponse({ description: 'Every dependency answers', type: HealthReport })
  @ApiServiceUnavailableResponse({ description: 'Postgres or NATS does not answer', type: HealthReport })
  async health(@Res() response: Response): Promise<void> {
    const [postgres, nats, eventTypes] = await Promise.all([this.checkPostgres(), this.nats.check(1500), this.countEventTypes()]);
    const checks: Record<string, Check> = { postgres, nats: { status: nats.status, ...nats.details } };
    const healthy = Object.values(checks).every((check) => check.status === 'up');
    response.status(healthy ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json({
      status: healthy ? 'ok' : 'error',
      service: this.service.name,
      version: this.config.version,
      event_types: eventTypes,
      timestamp: new Date().toISOString(),
      checks,
    });
  }

  private async checkPostgres(): Promise<Check> {
    const started = Date.now();
    try {
      const result = await this.postgres.pingCheck('postgres').withTimeout(1500);
      const status = result.postgres?.status === 'up' ? 'up' : 'down';
      return status === 'up' ? { status, latency_ms: Date.now() - started } : { status, reason: String(result.postgres?.message ?? 'no answer') };
    } catch (error) {
      return { status: 'down', reason: error instanceof Error ? error.message : 'no answer' };
    }
  }

  private async countEventTypes(): Promise<number | null> {
    try {
      const rows: { count: string }[] = await this.db.query(`SELECT count(*) AS count FROM event_types WHERE archived_at IS NULL`);
      return Number(rows[0].count);
    } catch {
      return null;
    }
  }
}

@Module({})
export class HealthModule {
  static forRoot(service: string): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [{ provide: ServiceName, useValue: new ServiceName(service) }],
    };
  }
}
