import type * as z from 'zod/mini';

/**
 * A cheaper way to read an answer through its schema, with the same verdict: `exactCheck(schema)`
 * returns a function that says true only when zod would accept the value *as it is* — every field
 * passes its type and every one of its checks, no key the schema does not declare (zod would strip
 * it), no default to fill in, nothing to transform. Then the value itself is the result zod would
 * have built (a deep copy with the same content). For anything else — an invalid value, an extra
 * key, a schema construct this does not know — it says false, and the caller parses with zod,
 * which gives the result or the issues as before. Nothing an appliance sends is read unvalidated.
 *
 * Why: on a console watching 40 appliances, zod's parse of each round's `watch.v1` answer (a
 * metrics sample has ~250 numbers on a storage box) was a tenth of the CPU and a third of all
 * allocation, since zod builds a payload object per field and a copy of every object
 * (`npm run bench -- fleet`, perf). This walks the value once and allocates nothing.
 *
 * Why the verdict is the same: types are tested as zod's own parsers test them (below, per type),
 * and every check — lengths, ranges, integers, patterns, ISO times, refinements — is run by calling
 * that check's own `_zod.check` on a reusable payload, with its `when` condition, exactly as zod's
 * runner does; any issue it records means false. Schema types and options not handled here
 * (unions, records, lazy, pipes, defaults, coercion, catch-alls, …) compile to "false": zod parses.
 * tests/unit/agent-protocol-exact-check.test.ts checks every method's schema against zod on valid
 * answers and on thousands of mutated ones.
 */

interface Payload {
  value: unknown;
  issues: unknown[];
}

/** The parts of zod's internals this reads (zod v4 core: `schema._zod.def`, `._zod.check`). */
interface ZodInternals {
  _zod: {
    def: {
      type: string;
      checks?: ZodInternals[];
      shape?: Record<string, ZodInternals>;
      catchall?: ZodInternals;
      element?: ZodInternals;
      innerType?: ZodInternals;
      coerce?: boolean;
      when?: (payload: Payload) => boolean;
    };
    traits: Set<string>;
    check?: (payload: Payload) => unknown;
    values?: Set<unknown>;
    /** "optional" when an absent value stays absent; "defaulted" when zod fills one in. */
    optin?: string;
  };
}

type Check = (value: unknown) => boolean;

const never: Check = () => false;
const compiled = new WeakMap<object, Check>();

export function exactCheck(schema: z.ZodMiniType): Check {
  return compile(schema as unknown as ZodInternals);
}

/** One payload for every check: a check only reads `value` and pushes to `issues` when it fails. */
const payload: Payload = { value: undefined, issues: [] };

function compile(schema: ZodInternals): Check {
  const known = compiled.get(schema);
  if (known) return known;
  // Recursive schemas (lazy) come back here before they are done: "not handled".
  compiled.set(schema, never);
  const check = build(schema);
  compiled.set(schema, check);
  return check;
}

/** The schema's checks, as zod runs them after its type test: the schema itself first when it is one (string formats). */
function checksOf(schema: ZodInternals): Check | null {
  const list = [...(schema._zod.traits.has('$ZodCheck') ? [schema] : []), ...(schema._zod.def.checks ?? [])];
  if (list.length === 0) return null;
  const runs = list.map((c) => ({ check: c._zod.check, when: c._zod.def.when }));
  if (runs.some((r) => typeof r.check !== 'function')) return never;
  return (value) => {
    payload.value = value;
    payload.issues.length = 0;
    for (const r of runs) {
      if (r.when && !r.when(payload)) continue;
      const out = r.check!(payload);
      // An async check (a promise) is not run here: zod does it.
      if (out instanceof Promise || payload.issues.length > 0) {
        payload.issues.length = 0;
        return false;
      }
    }
    return true;
  };
}

function withChecks(type: Check, checks: Check | null): Check {
  return checks ? (v) => type(v) && checks(v) : type;
}

function build(schema: ZodInternals): Check {
  const def = schema._zod.def;
  if (def.coerce) return never;
  const checks = checksOf(schema);
  if (checks === never) return never;
  switch (def.type) {
    case 'string':
      return withChecks((v) => typeof v === 'string', checks);
    case 'number':
      // $ZodNumber: a finite number (no NaN, no ±Infinity).
      return withChecks((v) => typeof v === 'number' && Number.isFinite(v), checks);
    case 'boolean':
      return withChecks((v) => typeof v === 'boolean', checks);
    case 'null':
      return withChecks((v) => v === null, checks);
    case 'unknown':
    case 'any':
      return withChecks(() => true, checks);
    case 'enum':
    case 'literal': {
      const values = schema._zod.values;
      if (!values) return never;
      return withChecks((v) => values.has(v), checks);
    }
    case 'nullable': {
      if (checks) return never;
      const inner = compile(def.innerType!);
      return (v) => v === null || inner(v);
    }
    case 'optional': {
      if (checks || schema._zod.optin !== 'optional') return never;
      const inner = compile(def.innerType!);
      return (v) => v === undefined || inner(v);
    }
    case 'array': {
      const element = compile(def.element!);
      return withChecks((v) => {
        if (!Array.isArray(v)) return false;
        for (let i = 0; i < v.length; i++) if (!element(v[i])) return false;
        return true;
      }, checks);
    }
    case 'object':
      return withChecks(objectCheck(def.shape!, def.catchall), checks);
    default:
      return never;
  }
}

/**
 * An object whose keys are all declared, each value passing its field's check; a declared key may
 * be missing only where zod leaves it missing (optional). With a catch-all (strict objects have
 * one that refuses every extra key) an extra key is not "as it is" either way.
 */
function objectCheck(shape: Record<string, ZodInternals>, catchall: ZodInternals | undefined): Check {
  if (catchall && catchall._zod.def.type !== 'never') return never;
  const keys = Object.keys(shape);
  const fields = keys.map((k) => ({ key: k, check: compile(shape[k]!), optional: shape[k]!._zod.def.type === 'optional' && shape[k]!._zod.optin === 'optional' }));
  const declared = new Set(keys);
  return (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
    const o = v as Record<string, unknown>;
    let present = 0;
    for (const f of fields) {
      const value = o[f.key];
      if (value === undefined) {
        if (!f.optional || Object.prototype.hasOwnProperty.call(o, f.key)) return false;
        continue;
      }
      if (!Object.prototype.hasOwnProperty.call(o, f.key) || !f.check(value)) return false;
      present++;
    }
    // As many own keys as declared ones present: no key zod would strip or refuse.
    let own = 0;
    for (const k in o) {
      if (!Object.prototype.hasOwnProperty.call(o, k)) continue;
      if (!declared.has(k)) return false;
      own++;
    }
    return own === present;
  };
}
