import { describe, expect, it } from 'vitest';
import type { AlertsChanged } from '../../main/contract/alerts.contract';
import { createEventBus } from '../../main/core/event-bus';
import type { TypedClient } from '../../main/contract/transport';
import { createTranslator } from '../../renderer/src/i18n/translate';
import { notificationFor, startAlertNotifications, type ShownNotification } from '../../renderer/src/pages/alerts/alert-notifications';

type Brief = AlertsChanged['newlyFiring'][number];
const brief = (over: Partial<Brief> = {}): Brief => ({
  id: 'x1',
  ruleId: 'filesystem-full',
  applianceId: 'a1',
  applianceName: 'edge-1',
  subject: '/srv/disks/d1',
  severity: 'critical',
  value: 97,
  unit: 'percent',
  params: { value: 97, threshold: 95 },
  silenced: false,
  ...over,
});

function setup(supported = true) {
  const events = createEventBus({
    onListenerError: (err) => {
      throw err;
    },
    onInvalidEvent: (event, issues) => {
      throw new Error(`${event}: ${JSON.stringify(issues)}`);
    },
  });
  // The renderer's client as far as notifications use it: events from the host, checked by the bus.
  const client: Pick<TypedClient, 'on'> = {
    on: (event, listener) => events.subscribe((name, payload) => name === event && listener(payload as never)),
  };
  const shown: ShownNotification[] = [];
  const stop = startAlertNotifications({ client, translator: () => createTranslator('zh-CN'), canShow: () => supported, show: (n) => shown.push(n) });
  const settle = () => new Promise((r) => setTimeout(r, 0));
  return { events, shown, stop, settle };
}

describe('OS notifications of new alerts (shown by the UI)', () => {
  it('reads like the alert centre, in the chosen language, with units', () => {
    expect(notificationFor(createTranslator('en'), brief())).toEqual({ title: 'Critical · Filesystem filling up', body: 'edge-1 · /srv/disks/d1 — 97 % used (threshold 95 %)', urgent: true });
    expect(notificationFor(createTranslator('zh-CN'), brief({ severity: 'warning' })).title).toBe('警告 · 文件系统空间将满');
  });

  it('notifies new firing alerts that are not silenced; one summary for a burst; nothing after stop', async () => {
    const { events, shown, stop, settle } = setup();
    events.emit('alerts.changed', { newlyFiring: [brief(), brief({ id: 'x2', silenced: true })] });
    await settle();
    expect(shown.map((n) => n.body)).toEqual(['edge-1 · /srv/disks/d1 — 已用 97 %（阈值 95 %）']);
    events.emit('alerts.changed', { newlyFiring: [] });
    events.emit('fleet.changed', { change: 'added', id: 'a9' });
    await settle();
    expect(shown.length).toBe(1);
    events.emit('alerts.changed', { newlyFiring: ['a', 'b', 'c', 'd'].map((id) => brief({ id, applianceName: `edge-${id}`, severity: 'warning' })) });
    await settle();
    expect(shown.at(-1)).toEqual({ title: '4 条新告警', body: 'edge-a, edge-b, edge-c, edge-d', urgent: false });
    stop();
    events.emit('alerts.changed', { newlyFiring: [brief()] });
    await settle();
    expect(shown.length).toBe(2);
  });

  it('stays quiet where the OS has no notification service', async () => {
    const { events, shown, settle } = setup(false);
    events.emit('alerts.changed', { newlyFiring: [brief()] });
    await settle();
    expect(shown).toEqual([]);
  });
});
