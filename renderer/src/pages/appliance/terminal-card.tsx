import { Alert, Button, Card, Checkbox, Space, Tag, Typography } from 'antd';
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState } from 'react';
import { useApiClient } from '../../api/api-context';
import { describeError } from '../../i18n/describe-error';
import { useI18n } from '../../i18n/i18n-context';

/**
 * A shell on the appliance in the page (issue 10 §3): @xterm/xterm over the console's terminal.*
 * methods — output by long poll from the last chunk seen (so a blip between page and console
 * loses nothing), typed and pasted text as the person sends it (IME input such as Chinese arrives
 * composed), the size following the card. Copy: select; paste: the browser's paste. Optionally
 * recorded (asciicast v2) on the console, named in the audit log.
 */
export function TerminalCard({ applianceId }: { applianceId: string }) {
  const translator = useI18n();
  const { t } = translator;
  const client = useApiClient();
  const [record, setRecord] = useState(false);
  const [session, setSession] = useState<{ id: string; recording: string | null } | null>(null);
  const [state, setState] = useState<'connecting' | 'open' | 'reconnecting' | 'closed'>('closed');
  const [error, setError] = useState<unknown>(null);
  const box = useRef<HTMLDivElement>(null);
  // Read by the session's effect without being one of its dependencies: a language switch must
  // not close the shell.
  const lostText = useRef(t('terminal.lost'));
  lostText.current = t('terminal.lost');

  useEffect(() => {
    if (!session || !box.current) return;
    const term = new Terminal({ cursorBlink: true, fontSize: 13, scrollback: 5000, fontFamily: 'monospace' });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(box.current);
    fit.fit();
    let stopped = false;
    // One input call at a time, in order (parallel HTTP requests may arrive out of order); what is
    // typed meanwhile goes in the next call.
    let pending = '';
    let sending = false;
    const send = async () => {
      if (sending) return;
      sending = true;
      while (pending !== '' && !stopped) {
        const data = pending.slice(0, 65_536);
        pending = pending.slice(data.length);
        await client.call('terminal.input', { sessionId: session.id, data }).catch(() => undefined);
      }
      sending = false;
    };
    const typed = term.onData((data) => {
      pending += data;
      void send();
    });
    const resized = term.onResize(({ cols, rows }) => void client.call('terminal.resize', { sessionId: session.id, cols, rows }).catch(() => undefined));
    const observer = new ResizeObserver(() => fit.fit());
    observer.observe(box.current);
    void client.call('terminal.resize', { sessionId: session.id, cols: term.cols, rows: term.rows }).catch(() => undefined);
    term.focus();
    (async () => {
      let after = 0;
      let failures = 0;
      while (!stopped) {
        try {
          const r = await client.call('terminal.read', { sessionId: session.id, after });
          if (stopped) break; // the terminal was disposed while this read waited
          failures = 0;
          if (r.lost) term.write(`\r\n[${lostText.current}]\r\n`);
          for (const c of r.chunks) term.write(c.text);
          after = r.chunks.at(-1)?.seq ?? after;
          setState(r.state);
          if (r.state === 'closed') break;
        } catch (err) {
          // A blip between the page and the console: ask again from the same place.
          if (++failures > 20 || (err as { code?: string }).code === 'not-found') {
            setState('closed');
            break;
          }
          await new Promise((r) => setTimeout(r, Math.min(5000, 250 * failures)));
        }
      }
    })();
    return () => {
      stopped = true;
      typed.dispose();
      resized.dispose();
      observer.disconnect();
      term.dispose();
      void client.call('terminal.close', { sessionId: session.id }).catch(() => undefined);
    };
  }, [client, session]);

  const open = async () => {
    setError(null);
    try {
      const r = await client.call('terminal.open', { applianceId, cols: 100, rows: 30, record });
      setSession({ id: r.sessionId, recording: r.recording });
      setState('open');
    } catch (err) {
      setError(err);
    }
  };

  return (
    <Card
      title={t('terminal.title')}
      data-testid="terminal-card"
      extra={
        <Space>
          {session && <Tag color={state === 'open' ? 'green' : state === 'reconnecting' ? 'orange' : 'default'} data-testid="terminal-state">{t(`terminal.state.${state}`)}</Tag>}
          {!session && (
            <Checkbox checked={record} onChange={(e) => setRecord(e.target.checked)} data-testid="terminal-record">
              {t('terminal.record')}
            </Checkbox>
          )}
          {session ? (
            <Button onClick={() => setSession(null)} data-testid="terminal-close">
              {t('terminal.close')}
            </Button>
          ) : (
            <Button type="primary" onClick={() => void open()} data-testid="terminal-open">
              {t('terminal.open')}
            </Button>
          )}
        </Space>
      }
    >
      {error !== null && <Alert type="error" showIcon title={describeError(translator, error)} />}
      {session?.recording && <Typography.Text type="secondary">{t('terminal.recording', { file: session.recording })}</Typography.Text>}
      {session ? <div ref={box} style={{ height: 420, background: '#000', padding: 4 }} data-testid="terminal-screen" /> : <Typography.Text type="secondary">{t('terminal.hint')}</Typography.Text>}
    </Card>
  );
}
