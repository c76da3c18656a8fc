import { describe, expect, it } from 'vitest';
import type { EventPayload } from '../../main/contract/api.contract';
import { createEventBus } from '../../main/core/event-bus';

describe('event bus', () => {
  it('delivers an event that matches its schema, as the schema parsed it', () => {
    const bus = createEventBus();
    const got: unknown[] = [];
    bus.subscribe((event, payload) => got.push([event, payload]));
    bus.emit('fleet.changed', { change: 'added', id: 'a1' });
    expect(got).toEqual([['fleet.changed', { change: 'added', id: 'a1' }]]);
  });

  it('refuses a payload that breaks its schema — a field the contract does not declare, a wrong type — and says which', () => {
    const invalid: { event: string; issues: { path: string; message: string }[] }[] = [];
    const bus = createEventBus({ onInvalidEvent: (event, issues) => invalid.push({ event, issues }) });
    const got: unknown[] = [];
    bus.subscribe((event, payload) => got.push([event, payload]));
    // A service that leaked a credential into an event, and one that sent the wrong shape.
    bus.emit('fleet.changed', { change: 'added', id: 'a1', password: 'hunter2' } as unknown as EventPayload<'fleet.changed'>);
    bus.emit('provision.progress', { applianceId: 'a1', event: { type: 'step-started' } } as unknown as EventPayload<'provision.progress'>);
    expect(got).toEqual([]);
    expect(invalid.map((i) => i.event)).toEqual(['fleet.changed', 'provision.progress']);
    expect(JSON.stringify(invalid[0]!.issues)).toContain('password');
    expect(JSON.stringify(invalid)).not.toContain('hunter2');
  });

  it('keeps delivering to the others when one subscriber throws', () => {
    const errors: unknown[] = [];
    const bus = createEventBus({ onListenerError: (e) => errors.push(e) });
    const got: string[] = [];
    bus.subscribe(() => {
      throw new Error('broken subscriber');
    });
    bus.subscribe((event) => got.push(event));
    bus.emit('system.changedElsewhere', {});
    expect(got).toEqual(['system.changedElsewhere']);
    expect(errors).toHaveLength(1);
  });
});
