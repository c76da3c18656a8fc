import { Alert, App, Button, Form, Modal } from 'antd';
import type { FormInstance, FormRule } from 'antd';
import { useCallback, useState } from 'react';
import { ApiError, type ApiIssue } from '../../../../main/contract/errors';
import type { Appliance } from '../../../../main/contract/fleet.contract';
import { useAddAppliance, useUpdateAppliance } from '../../api/fleet-hooks';
import { describeError, describeIssue } from '../../i18n/describe-error';
import { useI18n } from '../../i18n/i18n-context';
import { ApplianceConnectionFields } from './appliance-connection-fields';
import {
  checkApplianceInput,
  checkAppliancePatch,
  fieldForIssuePath,
  initialFormValues,
  isEmptyPatch,
  placeIssues,
  type ApplianceFormField,
  type ApplianceFormValues,
} from './appliance-form-model';
import { ApplianceLoginFields } from './appliance-login-fields';

/** Builds the antd rule for one field from the contract schema (see appliance-form-model.ts). */
export type FieldRule = (field: ApplianceFormField) => FormRule;

interface ApplianceDialogProps {
  /** Absent: add a new appliance. */
  appliance?: Appliance;
  tagOptions: readonly string[];
  onClose(): void;
}

function readValues(form: Pick<FormInstance, 'getFieldsValue'>): ApplianceFormValues {
  // The form starts from a complete ApplianceFormValues and hidden boxes keep their values
  // (preserve), so the whole store always has this shape.
  return form.getFieldsValue(true) as ApplianceFormValues;
}

/** Add or edit one appliance: client-side checks with the contract schemas, server errors in place. */
export function ApplianceDialog({ appliance, tagOptions, onClose }: ApplianceDialogProps) {
  const translator = useI18n();
  const { t } = translator;
  const { message } = App.useApp();
  const [form] = Form.useForm<ApplianceFormValues>();
  const [formError, setFormError] = useState<string | null>(null);
  const add = useAddAppliance();
  const update = useUpdateAppliance();
  const pending = add.isPending || update.isPending;

  const check = useCallback(
    (values: ApplianceFormValues) => (appliance ? checkAppliancePatch(values, appliance) : checkApplianceInput(values)),
    [appliance],
  );

  const fieldRule: FieldRule = useCallback(
    (field) => (instance) => ({
      validator: async () => {
        const issue = check(readValues(instance)).issues.find((i) => fieldForIssuePath(i.path) === field);
        if (issue) throw new Error(describeIssue(translator, issue));
      },
    }),
    [check, translator],
  );

  /** Issues go under their field; what no field can show goes in the alert at the top. */
  const showIssues = (issues: readonly ApiIssue[], fallback: string | null): void => {
    const { byField, unplaced } = placeIssues(issues, readValues(form));
    form.setFields([...byField].map(([name, list]) => ({ name, errors: list.map((i) => describeIssue(translator, i)) })));
    const first = byField.keys().next();
    if (!first.done) form.scrollToField(first.value);
    const lines = [...new Set(unplaced.map((i) => describeIssue(translator, i)))];
    setFormError(lines.length > 0 ? lines.join('\n') : byField.size === 0 ? fallback : null);
  };

  const submit = async (): Promise<void> => {
    setFormError(null);
    const values = readValues(form);
    try {
      if (appliance) {
        const { value: patch, issues } = checkAppliancePatch(values, appliance);
        if (issues.length > 0) return showIssues(issues, null);
        if (isEmptyPatch(patch)) {
          void message.info(t('fleet.dialog.noChanges'));
          return onClose();
        }
        const saved = await update.mutateAsync({ id: appliance.id, patch });
        void message.success(t('fleet.dialog.saved', { name: saved.name }));
      } else {
        const { value: input, issues } = checkApplianceInput(values);
        if (issues.length > 0) return showIssues(issues, null);
        const added = await add.mutateAsync(input);
        void message.success(t('fleet.dialog.added', { name: added.name }));
      }
      onClose();
    } catch (error) {
      if (error instanceof ApiError && error.issues?.length) showIssues(error.issues, describeError(translator, error));
      else setFormError(describeError(translator, error));
    }
  };

  return (
    <Modal
      open
      width={640}
      title={appliance ? t('fleet.dialog.editTitle', { name: appliance.name }) : t('fleet.dialog.addTitle')}
      onCancel={onClose}
      maskClosable={false}
      destroyOnHidden
      footer={[
        <Button key="cancel" onClick={onClose} data-testid="appliance-cancel">
          {t('common.cancel')}
        </Button>,
        <Button key="submit" type="primary" loading={pending} onClick={() => form.submit()} data-testid="appliance-submit">
          {appliance ? t('fleet.dialog.save') : t('fleet.dialog.add')}
        </Button>,
      ]}
    >
      {formError && (
        <Alert
          data-testid="appliance-form-error"
          type="error"
          showIcon
          title={<span style={{ whiteSpace: 'pre-line' }}>{formError}</span>}
          style={{ marginBottom: 16 }}
        />
      )}
      <Form<ApplianceFormValues>
        form={form}
        layout="vertical"
        requiredMark={false}
        initialValues={initialFormValues(appliance)}
        onFinish={() => void submit()}
        data-testid="appliance-form"
      >
        <ApplianceConnectionFields rule={fieldRule} tagOptions={tagOptions} />
        <ApplianceLoginFields rule={fieldRule} stored={appliance?.credential ?? null} />
        {/* Lets Enter in any box submit, as in any form. */}
        <button type="submit" hidden aria-hidden />
      </Form>
    </Modal>
  );
}
