import { HttpStatus } from '@nestjs/common';
import { ProblemException } from '@hookledger/observability';
import { compileEventSchema, InvalidEventSchemaError } from '../event-schema';

/** A schema must compile before it enters the ledger: 422 naming every spot that does not. */
export function checkEventSchema(schema: Record<string, unknown> | null | undefined): void {
  if (schema === null || schema === undefined) return;
  try {
    compileEventSchema(schema);
  } catch (error) {
    if (!(error instanceof InvalidEventSchemaError)) throw error;
    throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, `The schema is not a usable JSON Schema: ${error.message}`, { errors: error.errors });
  }
}
