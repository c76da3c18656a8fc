import type { MethodName, MethodOutput, MethodParsedInput } from '../contract/api.contract';

/** Who is calling, for the audit log. */
export interface CallContext {
  host: 'desktop' | 'serve' | 'cli';
  actor: string;
}

export type Handler<M extends MethodName> = (input: MethodParsedInput<M>, ctx: CallContext) => MethodOutput<M> | Promise<MethodOutput<M>>;

/** Exactly one handler per contract method; the type checker reports a missing or extra one. */
export type Handlers = { [M in MethodName]: Handler<M> };
