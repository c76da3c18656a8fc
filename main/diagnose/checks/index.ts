import type { DiagnoseCheck } from '../check';
import { DISK_CHECKS } from './disk-checks';
import { HARDWARE_CHECKS } from './hardware-checks';
import { NETWORK_CHECKS } from './network-checks';
import { SYSTEM_CHECKS } from './system-checks';

/** Every check a diagnose run makes, in the order they start. */
export const ALL_CHECKS: readonly DiagnoseCheck[] = [...SYSTEM_CHECKS, ...DISK_CHECKS, ...HARDWARE_CHECKS, ...NETWORK_CHECKS];
