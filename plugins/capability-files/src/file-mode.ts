import { registerDecorator } from 'class-validator';
import type { ValidationOptions } from 'class-validator';

const OCTAL_MODE = /^0?[0-7]{3,4}$/;

export type FileModeInput = string | number;

export function isFileMode(value: unknown): value is FileModeInput {
  if (typeof value === 'string') return OCTAL_MODE.test(value);
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0o7777;
}

/** `'644'`, `'0644'` or the number `0o644` (420) all become `'0644'`, the form chmod takes. */
export function normalizeFileMode(value: FileModeInput): string {
  const bits = typeof value === 'number' ? value : parseInt(value, 8);
  return bits.toString(8).padStart(4, '0');
}

/** Validates an octal mode string or a numeric mode. */
export function IsFileMode(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isFileMode',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `$property must be an octal mode string like '0644' or a number from 0 to 4095`, ...options },
      validator: { validate: (value: unknown) => isFileMode(value) },
    });
}
