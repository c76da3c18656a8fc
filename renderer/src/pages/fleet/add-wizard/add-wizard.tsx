import { App, Form, Modal, Steps } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import type { Appliance } from '../../../../../main/contract/fleet.contract';
import type { ProvisionRunResult } from '../../../../../main/contract/provision.contract';
import { useI18n } from '../../../i18n/i18n-context';
import type { ApplianceFormValues } from '../appliance-form-model';
import { ConnectionStep } from './connection-step';
import { DoneStep } from './done-step';
import { FingerprintStep } from './fingerprint-step';
import { InstallStep, type InstallState } from './install-step';
import { PreflightStep } from './preflight-step';

const STEPS = ['connection', 'fingerprint', 'preflight', 'install', 'done'] as const;
type StepKey = (typeof STEPS)[number];

interface WizardProps {
  tagOptions: readonly string[];
  onClose(): void;
}

/**
 * Add an appliance end to end: connection → host key → preflight → install → done. Each step
 * talks to the console as the separate Fleet dialogs do (fleet.add/update, testConnection,
 * acceptHostKey, preflight, provision), so closing half-way leaves a real appliance in the list,
 * in whatever state it reached — and the wizard says which.
 */
export function AddWizard(props: WizardProps) {
  // "Add another" starts over with a fresh form and state: a new instance is simplest and surest.
  const [round, setRound] = useState(0);
  return <WizardFlow key={round} {...props} onAnother={() => setRound((r) => r + 1)} />;
}

function WizardFlow({ tagOptions, onClose, onAnother }: WizardProps & { onAnother(): void }) {
  const { t } = useI18n();
  const { modal, message } = App.useApp();
  const navigate = useNavigate();
  const [form] = Form.useForm<ApplianceFormValues>();
  const [step, setStep] = useState<StepKey>('connection');
  const [appliance, setAppliance] = useState<Appliance | null>(null);
  const [lastSaved, setLastSaved] = useState<ApplianceFormValues | null>(null);
  const [trusted, setTrusted] = useState(false);
  const [install, setInstall] = useState<InstallState | null>(null);
  const [warnings, setWarnings] = useState(0);
  const [run, setRun] = useState<ProvisionRunResult | null>(null);

  // Back on the form: the cursor goes where a person would fix things first.
  useEffect(() => {
    if (step === 'connection' && appliance) form.getFieldInstance('name')?.focus?.();
  }, [step, appliance, form]);

  const onInstallState = useCallback((s: InstallState) => setInstall(s), []);
  const onInstalled = useCallback((r: ProvisionRunResult) => {
    setRun(r);
    setStep('done');
  }, []);

  const close = (): void => {
    if (!appliance || step === 'done') return onClose();
    const state = install === 'running' ? 'running' : install === 'failed' ? 'failed' : trusted ? 'trusted' : 'added';
    const kept = t(`wizard.kept.${state}`, { name: appliance.name });
    modal.confirm({
      title: t('wizard.closeConfirm.title'),
      content: <span data-testid="wizard-close-confirm">{kept}</span>,
      okText: t('wizard.closeConfirm.ok'),
      cancelText: t('wizard.closeConfirm.stay'),
      okButtonProps: { 'data-testid': 'wizard-close-ok' },
      onOk: () => {
        void message.info(kept);
        onClose();
      },
    });
  };

  return (
    <Modal open width={920} title={t('wizard.title')} onCancel={close} maskClosable={false} keyboard={false} footer={null} destroyOnHidden>
      <div data-testid="add-wizard" data-step={step}>
        <Steps
          size="small"
          current={STEPS.indexOf(step)}
          status={install === 'failed' && step === 'install' ? 'error' : undefined}
          items={STEPS.map((s) => ({ title: t(`wizard.step.${s}`) }))}
          style={{ marginBlock: 8 }}
        />
        {/* The form stays mounted (hidden) so Back finds every field as it was left. */}
        <div style={{ display: step === 'connection' ? undefined : 'none', marginTop: 16 }}>
          <ConnectionStep
            form={form}
            tagOptions={tagOptions}
            appliance={appliance}
            lastSaved={lastSaved}
            onCancel={close}
            onSaved={(saved, values) => {
              // A changed endpoint or login makes the earlier host-key check meaningless.
              if (appliance && (saved.address !== appliance.address || saved.port !== appliance.port || saved.user !== appliance.user)) setTrusted(false);
              setAppliance(saved);
              setLastSaved(values);
              setStep('fingerprint');
            }}
          />
        </div>
        {appliance && step === 'fingerprint' && (
          <FingerprintStep
            appliance={appliance}
            onBack={() => setStep('connection')}
            onNext={() => {
              setTrusted(true);
              setStep('preflight');
            }}
          />
        )}
        {appliance && step === 'preflight' && (
          <PreflightStep
            appliance={appliance}
            onBack={() => setStep('fingerprint')}
            onInstall={(result) => {
              setWarnings(result.rows.filter((r) => r.status === 'warning').length);
              setStep('install');
            }}
          />
        )}
        {appliance && step === 'install' && <InstallStep appliance={appliance} onState={onInstallState} onDone={onInstalled} onBack={() => setStep('preflight')} />}
        {appliance && step === 'done' && run && (
          <DoneStep
            appliance={appliance}
            run={run}
            warnings={warnings}
            onOpen={() => {
              onClose();
              void navigate(`/fleet/${encodeURIComponent(appliance.id)}`);
            }}
            onAnother={onAnother}
            onClose={onClose}
          />
        )}
      </div>
    </Modal>
  );
}
