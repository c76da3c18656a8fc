import type { Settings } from '../contract/settings.contract';
import type { EventBus } from '../core/event-bus';
import type { SettingsStore } from '../store/settings-store';

/** Telemetry retention as the issue sets it: raw 7 days, 1-minute 90 days, 1-hour 2 years. */
const DEFAULTS: Settings = { locale: null, theme: 'system', telemetryRetention: { rawDays: 7, minuteDays: 90, hourDays: 730 } };

export function createSettingsService(deps: { store: SettingsStore; events: EventBus }) {
  return {
    get(): Settings {
      return { ...DEFAULTS, ...deps.store.get<Partial<Settings>>('console', {}) };
    },
    update(patch: Partial<Settings>): Settings {
      const next: Settings = { ...this.get(), ...patch };
      deps.store.set('console', next);
      deps.events.emit('settings.changed', next);
      return next;
    },
  };
}
export type SettingsService = ReturnType<typeof createSettingsService>;
