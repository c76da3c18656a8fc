import { Alert, App, Button, Flex, Input, List, Modal, Radio, Typography } from 'antd';
import { useMemo, useRef, useState, type ChangeEvent } from 'react';
import { ApiError } from '../../../../main/contract/errors';
import { parseApplianceCsv } from '../../../../main/contract/fleet-csv';
import type { MethodInput } from '../../../../main/contract/api.contract';
import { useImportAppliances } from '../../api/fleet-hooks';
import { describeError, describeIssue } from '../../i18n/describe-error';
import { useI18n } from '../../i18n/i18n-context';

type LoginChoice = 'none' | 'password' | 'private-key';
const MAX_FILE_BYTES = 2 * 1024 * 1024;

/**
 * Add many appliances at once from CSV (pasted or a file). The preview parses as you type, with
 * the same parser the CLI uses; the console imports all rows or none, and any row at fault is
 * reported with its line in the CSV. One optional login applies to every row: passwords never
 * travel in the file.
 */
export function ImportAppliancesDialog({ onClose }: { onClose(): void }) {
  const translator = useI18n();
  const { t } = translator;
  const { message } = App.useApp();
  const importer = useImportAppliances();
  const [text, setText] = useState('');
  const [login, setLogin] = useState<LoginChoice>('none');
  const [password, setPassword] = useState('');
  const [privateKey, setPrivateKey] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const fileInput = useRef<HTMLInputElement>(null);

  const parsed = useMemo(() => parseApplianceCsv(text), [text]);
  const rows = parsed.rows;
  const fileProblems = text.trim() === '' ? [] : parsed.problems;

  const readFile = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file || file.size > MAX_FILE_BYTES) return;
    void file.text().then(setText);
  };

  const submit = () => {
    const input: MethodInput<'fleet.import'> = { appliances: rows.map((r) => r.values as MethodInput<'fleet.import'>['appliances'][number]) };
    if (login === 'password') input.auth = { kind: 'password', password };
    if (login === 'private-key') input.auth = { kind: 'private-key', privateKey, ...(passphrase ? { passphrase } : {}) };
    importer.mutate(input, {
      onSuccess: ({ added }) => {
        void message.success(t('import.done', { count: added.length }));
        onClose();
      },
    });
  };

  /** A row's issue (`appliances.<i>.<field>`) shown against its CSV line; anything else as is. */
  const rowIssues =
    importer.error instanceof ApiError && importer.error.issues
      ? importer.error.issues.map((issue) => {
          const m = /^appliances\.(\d+)/.exec(issue.path);
          const line = m ? rows[Number(m[1])]?.line : undefined;
          return `${line !== undefined ? `${t('import.line', { line })}: ` : ''}${describeIssue(translator, issue)}`;
        })
      : [];

  return (
    <Modal
      open
      width={760}
      title={t('import.title')}
      onCancel={onClose}
      footer={[
        <Button key="cancel" onClick={onClose}>
          {t('common.cancel')}
        </Button>,
        <Button
          key="import"
          type="primary"
          disabled={rows.length === 0 || fileProblems.length > 0}
          loading={importer.isPending}
          onClick={submit}
          data-testid="import-submit"
        >
          {t('import.submit', { count: rows.length })}
        </Button>,
      ]}
    >
      <Flex vertical gap={12} data-testid="import-dialog">
        <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
          {t('import.help')}
        </Typography.Paragraph>
        <Input.TextArea
          value={text}
          onChange={(e) => setText(e.target.value)}
          autoSize={{ minRows: 6, maxRows: 14 }}
          placeholder={'name,address,role,tags\nedge-01,10.0.0.11,server,hall-1;rack-3'}
          spellCheck={false}
          style={{ fontFamily: 'monospace' }}
          data-testid="import-text"
        />
        <Flex justify="space-between" align="center">
          <Typography.Text type="secondary" data-testid="import-count">
            {rows.length ? t('import.preview', { count: rows.length }) : t('import.noRows')}
          </Typography.Text>
          <Button size="small" onClick={() => fileInput.current?.click()}>
            {t('import.chooseFile')}
          </Button>
          <input ref={fileInput} type="file" accept=".csv,text/csv,text/plain" hidden onChange={readFile} />
        </Flex>
        {fileProblems.length > 0 && (
          <Alert
            type="error"
            showIcon
            data-testid="import-file-problems"
            title={fileProblems.map((p) => `${t('import.line', { line: p.line })}: ${t(`import.problem.${p.code}`, { detail: p.detail })}`).join('；')}
          />
        )}
        <Typography.Text strong>{t('import.login')}</Typography.Text>
        <Radio.Group value={login} onChange={(e) => setLogin(e.target.value as LoginChoice)} optionType="button">
          <Radio.Button value="none">{t('login.kind.none')}</Radio.Button>
          <Radio.Button value="password">{t('login.kind.password')}</Radio.Button>
          <Radio.Button value="private-key">{t('login.kind.private-key')}</Radio.Button>
        </Radio.Group>
        {login === 'password' && <Input.Password value={password} onChange={(e) => setPassword(e.target.value)} placeholder={t('login.passwordField')} autoComplete="new-password" />}
        {login === 'private-key' && (
          <>
            <Input.TextArea value={privateKey} onChange={(e) => setPrivateKey(e.target.value)} autoSize={{ minRows: 3, maxRows: 6 }} placeholder={t('login.keyField')} spellCheck={false} />
            <Input.Password value={passphrase} onChange={(e) => setPassphrase(e.target.value)} placeholder={t('login.passphraseField')} autoComplete="new-password" />
          </>
        )}
        {importer.isError && (
          <Alert
            type="error"
            showIcon
            data-testid="import-error"
            title={rowIssues.length ? t('import.allOrNone') : describeError(translator, importer.error)}
            description={rowIssues.length ? <List size="small" dataSource={rowIssues} renderItem={(line) => <List.Item>{line}</List.Item>} /> : undefined}
          />
        )}
      </Flex>
    </Modal>
  );
}
