import type Ajv from 'ajv';
import { fullFormats } from 'ajv-formats/dist/formats';
import { RE2JS } from 're2js';

/** The longest `url` checked: its regex needs lookahead, so it stays on V8's engine, where it is super-linear (2.3 s for 40,000 characters). */
export const MAX_URL_FORMAT_LENGTH = 2_083;

/**
 * After ajv-formats: every `format` that is a regular expression RE2 can read runs in RE2 (linear
 * time), the same pattern and flags. `url` cannot (lookahead), so a value longer than
 * MAX_URL_FORMAT_LENGTH is not a url (~7 ms at that length on the worst input). The others
 * (`date`, `time`, `uri`, `hostname`, `duration`, …) are fixed-width or length-bounded and were
 * measured linear on adversarial inputs of 40,000 characters.
 */
export function useLinearFormats(ajv: Ajv): void {
  for (const [name, format] of Object.entries(fullFormats)) {
    if (!(format instanceof RegExp)) continue;
    let compiled: RE2JS;
    try {
      compiled = RE2JS.compile(format.source, format.flags.includes('i') ? RE2JS.CASE_INSENSITIVE : 0);
    } catch {
      continue;
    }
    ajv.addFormat(name, { type: 'string', validate: (value: string) => compiled.test(value) });
  }
  const url = fullFormats.url as RegExp;
  ajv.addFormat('url', { type: 'string', validate: (value: string) => value.length <= MAX_URL_FORMAT_LENGTH && url.test(value) });
}
