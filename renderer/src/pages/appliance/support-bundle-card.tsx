import { Alert, Button, Card, Checkbox, Flex, Input, Progress, Segmented, Space, Typography } from 'antd';
import { useEffect, useState } from 'react';
import type { MethodOutput } from '../../../../main/contract/api.contract';
import { useApiClient } from '../../api/api-context';
import { bytesOf, createBlobCollector, saveBlob } from '../../api/browser-files';
import { describeError } from '../../i18n/describe-error';
import { formatCapacity } from '../../i18n/format';
import { useI18n } from '../../i18n/i18n-context';

type Bundle = MethodOutput<'bundle.create'>;

const SINCE_HOURS = [24, 24 * 7, 24 * 30] as const;

/**
 * A support bundle from the Appliance page (issue 10 §2): how far back, pseudonyms, more patterns
 * to redact; collecting with progress and cancel; then what went in (files, size, what was
 * redacted, what was cut or left out) and a download through the console. The mapping back to the
 * originals stays on the console's machine (its path is shown), never in the bundle.
 */
export function SupportBundleCard({ applianceId }: { applianceId: string }) {
  const translator = useI18n();
  const { t, locale } = translator;
  const client = useApiClient();
  const [sinceHours, setSinceHours] = useState<number>(SINCE_HOURS[1]);
  const [pseudonymize, setPseudonymize] = useState(false);
  const [patterns, setPatterns] = useState('');
  const [token, setToken] = useState<string | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number; step: string } | null>(null);
  const [result, setResult] = useState<Bundle | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [downloaded, setDownloaded] = useState<number | null>(null);

  useEffect(() => {
    if (!token) return;
    return client.on('bundle.progress', (p) => {
      if (p.runToken === token) setProgress({ done: p.done, total: p.total, step: p.step });
    });
  }, [client, token]);

  const make = async () => {
    const runToken = crypto.randomUUID();
    setToken(runToken);
    setProgress(null);
    setResult(null);
    setError(null);
    try {
      const redactPatterns = patterns.split('\n').map((p) => p.trim()).filter(Boolean);
      setResult(await client.call('bundle.create', { applianceId, sinceHours, pseudonymize, redactPatterns, runToken }));
    } catch (err) {
      setError(err);
    } finally {
      setToken(null);
    }
  };

  const download = async (bundle: Bundle) => {
    const collected = createBlobCollector('application/gzip');
    let offset = 0;
    setDownloaded(0);
    try {
      for (;;) {
        const chunk = await client.call('bundle.read', { name: bundle.name, offset });
        const bytes = bytesOf(chunk.data);
        collected.add(bytes);
        offset += bytes.length;
        setDownloaded(offset);
        if (chunk.done) break;
      }
      saveBlob(collected.blob(), bundle.name);
    } catch (err) {
      setError(err);
    } finally {
      setDownloaded(null);
    }
  };

  const secrets = result ? Object.entries(result.redaction.secrets) : [];
  return (
    <Card title={t('bundle.title')} data-testid="bundle-card">
      <Flex vertical gap={12}>
        <Space wrap>
          <Typography.Text>{t('bundle.since')}</Typography.Text>
          <Segmented<number> value={sinceHours} onChange={setSinceHours} options={SINCE_HOURS.map((h) => ({ value: h, label: t(h === 24 ? 'bundle.since.day' : h === 168 ? 'bundle.since.week' : 'bundle.since.month') }))} />
          <Checkbox checked={pseudonymize} onChange={(e) => setPseudonymize(e.target.checked)} data-testid="bundle-pseudonymize">
            {t('bundle.pseudonymize')}
          </Checkbox>
        </Space>
        <Input.TextArea rows={2} value={patterns} onChange={(e) => setPatterns(e.target.value)} placeholder={t('bundle.patterns')} data-testid="bundle-patterns" />
        <Space>
          <Button type="primary" onClick={() => void make()} loading={token !== null} data-testid="bundle-make">
            {t('bundle.make')}
          </Button>
          {token && (
            <Button onClick={() => void client.call('bundle.cancel', { runToken: token })} data-testid="bundle-cancel">
              {t('bundle.cancel')}
            </Button>
          )}
        </Space>
        {token && <Progress percent={progress ? Math.round((progress.done / Math.max(1, progress.total)) * 100) : 0} format={() => progress?.step ?? t('bundle.connecting')} data-testid="bundle-progress" />}
        {error !== null && <Alert type="error" showIcon title={describeError(translator, error)} />}
        {result && (
          <Flex vertical gap={4} data-testid="bundle-result">
            <Typography.Text>{t('bundle.made', { files: result.files, size: formatCapacity(result.bytes, locale) })}</Typography.Text>
            <Typography.Text type="secondary">{secrets.length ? t('bundle.redacted', { list: secrets.map(([k, n]) => `${k} × ${n}`).join(', ') }) : t('bundle.nothingRedacted')}</Typography.Text>
            {result.truncated.length > 0 && <Typography.Text type="warning">{t('bundle.truncated', { list: result.truncated.join(', ') })}</Typography.Text>}
            {result.omitted.map((o) => (
              <Typography.Text key={o.path} type="warning">
                {t('bundle.omitted', { path: o.path, why: o.why })}
              </Typography.Text>
            ))}
            <Typography.Text type="secondary">{t('bundle.mapping', { file: result.mappingFile })}</Typography.Text>
            <Space>
              <Button onClick={() => void download(result)} loading={downloaded !== null} data-testid="bundle-download">
                {downloaded !== null ? t('bundle.downloading', { done: formatCapacity(downloaded, locale), total: formatCapacity(result.bytes, locale) }) : t('bundle.download')}
              </Button>
              <Typography.Text code copyable>
                {result.sha256}
              </Typography.Text>
            </Space>
          </Flex>
        )}
      </Flex>
    </Card>
  );
}
