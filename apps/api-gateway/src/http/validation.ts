import { ArgumentMetadata, HttpStatus, ValidationError, ValidationPipe } from '@nestjs/common';
import { ProblemException } from '@hookledger/observability';

/** Flattens class-validator's tree into `field.path: message` pairs a client can act on. */
export function fieldErrors(errors: ValidationError[], parent = ''): { field: string; message: string }[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    // A missing field fails every constraint on it; "is required" is the one worth saying.
    const messages = Object.values(error.constraints ?? {});
    const own = messages.length > 0 && error.value === undefined
      ? [{ field, message: `${field} is required` }]
      : messages.map((message) => ({ field, message }));
    return [...own, ...fieldErrors(error.children ?? [], field)];
  });
}

/**
 * A body DTO's hand-written check: true only for input its class-validator rules accept as it is
 * (no key to strip, no value to convert). Such a body is passed on as parsed; any other goes through
 * class-transformer and class-validator, which give the refusal.
 */
export type FastBodyCheck = (value: unknown) => boolean;

/** The ValidationPipe, with a shortcut for the bodies of hot routes (the publish routes, events/publish-input.ts). */
export class HookledgerValidationPipe extends ValidationPipe {
  constructor(private readonly fastChecks: ReadonlyMap<unknown, FastBodyCheck>) {
    super({
      transform: true,
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      stopAtFirstError: false,
      exceptionFactory: (errors) => {
        const list = fieldErrors(errors);
        const detail = list.length > 0 ? list.map((e) => e.message).join('; ') : 'The request body is invalid.';
        return new ProblemException(HttpStatus.BAD_REQUEST, detail, { errors: list });
      },
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && this.fastChecks.get(metadata.metatype)?.(value)) return value;
    return super.transform(value, metadata);
  }
}

export function validationPipe(fastChecks: ReadonlyMap<unknown, FastBodyCheck> = new Map()): ValidationPipe {
  return new HookledgerValidationPipe(fastChecks);
}
