// Validation against JSON Schemas with ajv: the official SARIF 2.1.0 schema
// (draft-04, as published by the SARIF team and shipped in
// @microsoft/jest-sarif) and Cordon's own output schemas (schemas/*.json).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';

const require = createRequire(import.meta.url);

/** The official SARIF 2.1.0 JSON schema. */
export function sarifSchemaPath(): string {
  return join(
    dirname(require.resolve('@microsoft/jest-sarif/package.json')),
    'lib',
    'schemas',
    'sarif-2.1.0-rtm.5.json',
  );
}

let sarifValidator: (((x: unknown) => boolean) & { errors?: unknown }) | undefined;

/** The schema's errors for `log`, or [] when it is a valid SARIF 2.1.0 log. */
export function sarifErrors(log: unknown): string[] {
  if (sarifValidator === undefined) {
    const ajv = new AjvDraft04.default({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats.default(ajv);
    sarifValidator = ajv.compile(JSON.parse(readFileSync(sarifSchemaPath(), 'utf8')) as object);
  }
  const validate = sarifValidator;
  return validate(log) ? [] : formatErrors(validate.errors);
}

/** The errors of `value` against one of the project's JSON Schemas (draft 2020-12). */
export function schemaErrors(schemaFile: string, value: unknown): string[] {
  const ajv = new Ajv2020.default({ allErrors: true, strict: true });
  addFormats.default(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')) as object);
  return validate(value) ? [] : formatErrors(validate.errors);
}

function formatErrors(errors: unknown): string[] {
  return ((errors ?? []) as { instancePath: string; message?: string }[]).map(
    (e) => `${e.instancePath || '/'} ${e.message ?? 'invalid'}`,
  );
}
