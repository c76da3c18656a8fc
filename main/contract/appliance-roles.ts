/**
 * The roles an appliance can have. In a module of their own, without zod: the Fleet page's filter
 * bar needs them at start, and importing them from fleet.contract.ts evaluated zod and the
 * contract's schemas before the first render.
 */
export const APPLIANCE_ROLES = ['server', 'smartbox'] as const;
