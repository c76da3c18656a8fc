import { Descriptions, Space, Typography } from 'antd';
import type { ReactElement } from 'react';
import type { ConnectionReport } from '../../../../main/contract/onboarding.contract';
import type { Translator } from '../../i18n/translate';

/**
 * How a connection test reads, shared by the Test-connection dialog and the add-appliance wizard's
 * host-key step: the stages, the failure in the user's language, the host key file to compare
 * with, and the rows after the host key (auth methods, platform, sudo).
 */
export const CONNECTION_STAGES = ['connect', 'host-key', 'auth', 'platform', 'sudo'] as const;

/** Index of the stage the test reached (all of them when it passed), for antd Steps. */
export function reachedStage(report: ConnectionReport | undefined): number {
  if (!report) return 0;
  return report.ok ? CONNECTION_STAGES.length : Math.max(0, CONNECTION_STAGES.indexOf(report.stage as (typeof CONNECTION_STAGES)[number]));
}

/** The failure in the user's language (`ssh.<code>`), with the host's English text as a fallback. */
export function describeFailure(translator: Translator, failure: NonNullable<ConnectionReport['failure']>): string {
  return translator.lookup(`ssh.${failure.code}`, failure.params) ?? failure.message;
}

/** `/etc/ssh/ssh_host_<type>_key.pub` for a key type: ssh-ed25519 → ed25519, ecdsa-sha2-nistp256 → ecdsa. */
export function hostKeyFileType(keyType: string): string {
  if (keyType.startsWith('ecdsa')) return 'ecdsa';
  return keyType.replace(/^ssh-/, '').replace(/^rsa-sha2-\d+$/, 'rsa');
}

/**
 * The auth, platform and sudo rows as `Descriptions.Item` elements (an array, not a component:
 * antd's Descriptions reads its items from its direct children).
 */
export function loginDetailItems({ t }: Translator, report: ConnectionReport): ReactElement[] {
  const items: ReactElement[] = [];
  if (report.auth) {
    items.push(
      <Descriptions.Item key="auth" label={t('connection.auth')}>
        <Space direction="vertical" size={2}>
          {report.auth.tried.map((a) => (
            <span key={a.method}>{t(a.accepted ? 'connection.auth.accepted' : 'connection.auth.rejected', { method: a.method })}</span>
          ))}
          {report.auth.offered && <Typography.Text type="secondary">{t('connection.auth.offered', { methods: report.auth.offered.join(', ') })}</Typography.Text>}
        </Space>
      </Descriptions.Item>,
    );
  }
  if (report.platform) {
    items.push(
      <Descriptions.Item key="platform" label={t('connection.platform')}>
        {t('connection.platformValue', { os: report.platform.os, kernel: report.platform.kernel, arch: report.platform.arch })}
      </Descriptions.Item>,
    );
  }
  if (report.sudo) {
    items.push(
      <Descriptions.Item key="sudo" label={t('connection.sudo')}>
        {t(`connection.sudo.${report.sudo}`)}
      </Descriptions.Item>,
    );
  }
  return items;
}
