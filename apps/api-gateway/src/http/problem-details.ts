import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldProblem {
  @ApiProperty({ example: 'url' }) field!: string;
  @ApiProperty({ example: 'url must be an absolute http(s) URL' }) message!: string;
}

/** The schema of every error answer (RFC 9457 application/problem+json), as ProblemFilter writes it. */
export class ProblemDetails {
  @ApiProperty({ example: 'https://hookledger.dev/problems/bad-request' }) type!: string;
  @ApiProperty({ example: 'Bad Request' }) title!: string;
  @ApiProperty({ example: 400 }) status!: number;
  @ApiProperty({ example: 'url must be an absolute http(s) URL' }) detail!: string;
  @ApiPropertyOptional({ example: '/v1/endpoints' }) instance?: string;
  @ApiPropertyOptional({ type: [FieldProblem], description: 'Which inputs were wrong and why' }) errors?: FieldProblem[];
  @ApiPropertyOptional({ description: 'Seconds to wait before retrying (also sent as Retry-After)', example: 1 }) retry_after?: number;
}
