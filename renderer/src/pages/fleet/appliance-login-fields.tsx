import { LockOutlined, UploadOutlined } from '@ant-design/icons';
import { Button, Divider, Form, Input, Radio, Tag, Typography } from 'antd';
import { useRef, type ChangeEvent } from 'react';
import type { Appliance } from '../../../../main/contract/fleet.contract';
import { useI18n } from '../../i18n/i18n-context';
import type { PlainMessageKey } from '../../i18n/translate';
import type { FieldRule } from './appliance-dialog';
import { storedLoginText } from './appliance-labels';
import type { ApplianceFormValues, AuthChoice, SudoChoice } from './appliance-form-model';

const Item = Form.Item<ApplianceFormValues>;

/** The contract accepts keys up to 16 KiB; a bigger file is not a private key. */
const MAX_KEY_FILE_KIB = 16;

interface LoginFieldsProps {
  rule: FieldRule;
  /** What is stored for the appliance being edited; null when adding. */
  stored: Appliance['credential'] | null;
}

/**
 * How the console logs in over SSH: nothing yet, a password, or a private key (pasted or read
 * from a file on this computer, with an optional passphrase), plus an optional sudo password.
 * On edit the stored kind is shown, never its value, and can be kept, replaced or removed.
 */
export function ApplianceLoginFields({ rule, stored }: LoginFieldsProps) {
  const { t } = useI18n();
  const form = Form.useFormInstance<ApplianceFormValues>();
  const authChoice = Form.useWatch('authChoice', form) ?? 'none';
  const sudoChoice = Form.useWatch('sudoChoice', form) ?? 'set';
  const keyFileInput = useRef<HTMLInputElement>(null);
  const hasStoredLogin = stored?.kind != null;

  const authChoices: { value: AuthChoice; label: PlainMessageKey }[] = [
    ...(hasStoredLogin ? [{ value: 'keep' as const, label: 'login.keep' as const }] : []),
    { value: 'password', label: hasStoredLogin ? 'login.newPassword' : 'login.password' },
    { value: 'private-key', label: hasStoredLogin ? 'login.newKey' : 'login.privateKey' },
    { value: 'none', label: hasStoredLogin ? 'login.remove' : 'login.none' },
  ];
  const sudoChoices: { value: SudoChoice; label: PlainMessageKey }[] = [
    { value: 'keep', label: 'login.keep' },
    { value: 'set', label: 'login.replace' },
    { value: 'remove', label: 'login.remove' },
  ];

  const readKeyFile = (event: ChangeEvent<HTMLInputElement>): void => {
    const file = event.target.files?.[0];
    event.target.value = ''; // choosing the same file again still fires change
    if (!file) return;
    if (file.size > MAX_KEY_FILE_KIB * 1024) {
      form.setFields([{ name: 'privateKey', errors: [t('login.keyFileTooLarge', { limit: MAX_KEY_FILE_KIB })] }]);
      return;
    }
    const reader = new FileReader();
    reader.onload = () => {
      if (typeof reader.result !== 'string') return;
      form.setFieldValue('privateKey', reader.result);
      void form.validateFields(['privateKey']).catch(() => undefined);
    };
    reader.onerror = () => form.setFields([{ name: 'privateKey', errors: [t('login.keyFileUnreadable', { file: file.name })] }]);
    reader.readAsText(file);
  };

  return (
    <>
      <Divider titlePlacement="start" plain style={{ marginTop: 4 }}>
        {t('login.section')}
      </Divider>
      {stored && (
        <Typography.Paragraph data-testid="appliance-stored-login">
          <Tag icon={<LockOutlined />}>{storedLoginText(t, stored)}</Tag>
          {stored.hasSudoPassword && <Tag icon={<LockOutlined />}>{t('login.storedSudo')}</Tag>}
        </Typography.Paragraph>
      )}
      <Item name="authChoice" label={t('login.method')}>
        <Radio.Group data-testid="appliance-auth-kind" optionType="button">
          {authChoices.map((choice) => (
            <Radio.Button key={choice.value} value={choice.value}>
              <span data-testid={`appliance-auth-${choice.value}`}>{t(choice.label)}</span>
            </Radio.Button>
          ))}
        </Radio.Group>
      </Item>
      {authChoice === 'password' && (
        <Item name="password" label={t('login.passwordField')} rules={[rule('password')]}>
          <Input.Password data-testid="appliance-password" autoComplete="new-password" />
        </Item>
      )}
      {authChoice === 'private-key' && (
        <>
          <Item
            name="privateKey"
            label={t('login.keyField')}
            rules={[rule('privateKey')]}
            extra={
              <Button size="small" icon={<UploadOutlined />} onClick={() => keyFileInput.current?.click()} style={{ marginTop: 8 }}>
                {t('login.chooseKeyFile')}
              </Button>
            }
          >
            <Input.TextArea
              data-testid="appliance-private-key"
              autoSize={{ minRows: 3, maxRows: 6 }}
              spellCheck={false}
              autoComplete="off"
              placeholder="-----BEGIN OPENSSH PRIVATE KEY-----"
              style={{ fontFamily: 'monospace', fontSize: 12 }}
            />
          </Item>
          <input ref={keyFileInput} type="file" style={{ display: 'none' }} data-testid="appliance-private-key-file" onChange={readKeyFile} />
          <Item name="passphrase" label={t('login.passphraseField')} rules={[rule('passphrase')]}>
            <Input.Password data-testid="appliance-passphrase" autoComplete="new-password" />
          </Item>
        </>
      )}
      {stored?.hasSudoPassword && (
        <Item name="sudoChoice" label={t('login.sudoField')}>
          <Radio.Group data-testid="appliance-sudo-choice" optionType="button">
            {sudoChoices.map((choice) => (
              <Radio.Button key={choice.value} value={choice.value}>
                <span data-testid={`appliance-sudo-${choice.value}`}>{t(choice.label)}</span>
              </Radio.Button>
            ))}
          </Radio.Group>
        </Item>
      )}
      {sudoChoice === 'set' && (
        <Item
          name="sudoPassword"
          label={stored?.hasSudoPassword ? t('login.newSudoField') : t('login.sudoFieldOptional')}
          rules={[rule('sudoPassword')]}
          extra={t('login.sudoHelp')}
        >
          <Input.Password data-testid="appliance-sudo-password" autoComplete="new-password" />
        </Item>
      )}
    </>
  );
}
