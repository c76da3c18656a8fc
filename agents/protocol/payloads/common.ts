import * as z from 'zod/mini';
import '../zod-locale';

/** Requests carry no fields but the ones declared: an unknown field is an error, not ignored. */
export const NoParamsSchema = z.strictObject({});

/** Timestamps on the wire are ISO 8601 in UTC (`Date.prototype.toISOString`). */
export const IsoTimeSchema = z.iso.datetime();

export const ByteCountSchema = z.number().check(z.int(), z.nonnegative());

/** Short text from the machine (a model name, a label): bounded so one field cannot blow up a frame. */
export const ShortTextSchema = z.string().check(z.maxLength(512));
