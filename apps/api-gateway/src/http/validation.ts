import { HttpStatus, ValidationError, ValidationPipe } from '@nestjs/common';
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

export function validationPipe(): ValidationPipe {
  return new ValidationPipe({
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
