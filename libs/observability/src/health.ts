import { Controller, DynamicModule, Get, HttpStatus, Logger, Module, Res, SetMetadata } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { TerminusModule, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { HookledgerConfig } from '@hookledger/config';
import { MessagingHealth } from '@hookledger/messaging';
import { PUBLIC_ROUTE } from './public-route';

/** What /health shows of a dependency: up or down, nothing more. */
interface Check {
  readonly status: 'up' | 'down';
}

/** What the log gets: the reason a check is down, which may name hosts, ports and driver errors. */
interface CheckResult extends Check {
  readonly detail?: Record<string, unknown>;
}

export class HealthReport {
  @ApiProperty({ enum: ['ok', 'error'] }) status!: 'ok' | 'error';
  @ApiProperty({ example: 'api-gateway' }) service!: string;
  @ApiProperty({ example: '0.1.0' }) version!: string;
  @ApiProperty({ nullable: true, description: 'Active event types; null when Postgres does not answer' }) event_types!: number | null;
  @ApiProperty() timestamp!: string;
  @ApiProperty({
    type: 'object', additionalProperties: { type: 'object', properties: { status: { type: 'string', enum: ['up', 'down'] } }, additionalProperties: false },
    example: { postgres: { status: 'up' }, nats: { status: 'up' } },
    description: 'A plain status per dependency; why one is down is logged, not shown (it can name hosts, ports and driver errors)',
  })
  checks!: Record<string, Check>;
}

/** The app's name, as /health reports it. */
export class ServiceName {
  constructor(readonly name: string) {}
}

/**
 * GET /health: `{status, service, version, event_types, timestamp, checks}`; 503 when Postgres or
 * NATS is down. Public, so it shows `up`/`down` per check and nothing that maps the network: the
 * reason (an address, a connection error) is logged, once each time it changes.
 */
@ApiTags('health')
@Controller('health')
@SetMetadata(PUBLIC_ROUTE, true)
export class HealthController {
  private readonly logger = new Logger('Health');
  /** The last detail logged per check, so a dependency that stays down is not logged on every poll. */
  private readonly lastLogged = new Map<string, string>();

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
    const results: Record<string, CheckResult> = { postgres, nats: { status: nats.status, detail: nats.details } };
    const checks: Record<string, Check> = {};
    for (const [name, result] of Object.entries(results)) {
      this.logChange(name, result);
      checks[name] = { status: result.status };
    }
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

  private async checkPostgres(): Promise<CheckResult> {
    try {
      const result = await this.postgres.pingCheck('postgres').withTimeout(1500);
      return result.postgres?.status === 'up' ? { status: 'up' } : { status: 'down', detail: { reason: String(result.postgres?.message ?? 'no answer') } };
    } catch (error) {
      return { status: 'down', detail: { reason: error instanceof Error ? error.message : 'no answer' } };
    }
  }

  private logChange(name: string, result: CheckResult): void {
    const reason = result.status === 'up' ? 'up' : JSON.stringify(result.detail ?? {});
    if (this.lastLogged.get(name) === reason) return;
    const first = !this.lastLogged.has(name);
    this.lastLogged.set(name, reason);
    if (result.status === 'down') this.logger.warn({ msg: `health check down: ${name}`, check: name, ...result.detail });
    else if (!first) this.logger.log({ msg: `health check up again: ${name}`, check: name });
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
