import { Alert, Button, Flex, Form, Typography } from 'antd';
import type { FormInstance } from 'antd';
import { useCallback, useState } from 'react';
import { ApiError, type ApiIssue } from '../../../../../main/contract/errors';
import type { Appliance } from '../../../../../main/contract/fleet.contract';
import { useAddAppliance, useUpdateAppliance } from '../../../api/fleet-hooks';
import { describeError, describeIssue } from '../../../i18n/describe-error';
import { useI18n } from '../../../i18n/i18n-context';
import { ApplianceConnectionFields } from '../appliance-connection-fields';
import type { FieldRule } from '../appliance-dialog';
import { checkApplianceInput, checkAppliancePatch, fieldForIssuePath, initialFormValues, isEmptyPatch, placeIssues, type ApplianceFormValues } from '../appliance-form-model';
import { ApplianceLoginFields } from '../appliance-login-fields';

const INITIAL = initialFormValues();
const read = (form: FormInstance<ApplianceFormValues>) => form.getFieldsValue(true) as ApplianceFormValues;

/**
 * The patch for going Back and changing fields: what `checkAppliancePatch` finds, minus secrets
 * typed the same as last time (the form keeps them, and re-sending them would only add audit noise).
 */
function patchSince(values: ApplianceFormValues, appliance: Appliance, last: ApplianceFormValues | null) {
  const checked = checkAppliancePatch(values, appliance);
  if (last) {
    const sameLogin = values.authChoice === last.authChoice && values.password === last.password && values.privateKey === last.privateKey && values.passphrase === last.passphrase;
    if (sameLogin) delete checked.value.auth;
    if (values.sudoPassword === last.sudoPassword) delete checked.value.sudoPassword;
  }
  return checked;
}

interface ConnectionStepProps {
  form: FormInstance<ApplianceFormValues>;
  tagOptions: readonly string[];
  /** The appliance this wizard created, once it has (going Back updates it instead). */
  appliance: Appliance | null;
  /** What was saved last, to tell changed secrets from the ones still in the form. */
  lastSaved: ApplianceFormValues | null;
  onSaved(appliance: Appliance, values: ApplianceFormValues): void;
  onCancel(): void;
}

/** Step 1: the add/edit form's fields; Next adds the appliance (`fleet.add`) or updates it (`fleet.update`). */
export function ConnectionStep({ form, tagOptions, appliance, lastSaved, onSaved, onCancel }: ConnectionStepProps) {
  const translator = useI18n();
  const { t } = translator;
  const [formError, setFormError] = useState<string | null>(null);
  const add = useAddAppliance();
  const update = useUpdateAppliance();

  const fieldRule: FieldRule = useCallback(
    (field) => (instance) => ({
      validator: async () => {
        const issue = checkApplianceInput(instance.getFieldsValue(true) as ApplianceFormValues).issues.find((i) => fieldForIssuePath(i.path) === field);
        if (issue) throw new Error(describeIssue(translator, issue));
      },
    }),
    [translator],
  );

  const showIssues = (issues: readonly ApiIssue[], fallback: string | null): void => {
    const { byField, unplaced } = placeIssues(issues, read(form));
    form.setFields([...byField].map(([name, list]) => ({ name, errors: list.map((i) => describeIssue(translator, i)) })));
    const lines = [...new Set(unplaced.map((i) => describeIssue(translator, i)))];
    setFormError(lines.length > 0 ? lines.join('\n') : byField.size === 0 ? fallback : null);
  };

  const submit = async (): Promise<void> => {
    setFormError(null);
    const values = read(form);
    try {
      if (!appliance) {
        const { value, issues } = checkApplianceInput(values);
        if (issues.length > 0) return showIssues(issues, null);
        onSaved(await add.mutateAsync(value), values);
        return;
      }
      const { value: patch, issues } = patchSince(values, appliance, lastSaved);
      if (issues.length > 0) return showIssues(issues, null);
      onSaved(isEmptyPatch(patch) ? appliance : await update.mutateAsync({ id: appliance.id, patch }), values);
    } catch (error) {
      if (error instanceof ApiError && error.issues?.length) showIssues(error.issues, describeError(translator, error));
      else setFormError(describeError(translator, error));
    }
  };

  return (
    <>
      <Typography.Paragraph type="secondary">{t('wizard.connection.intro')}</Typography.Paragraph>
      {formError && <Alert data-testid="appliance-form-error" type="error" showIcon title={<span style={{ whiteSpace: 'pre-line' }}>{formError}</span>} style={{ marginBottom: 16 }} />}
      <Form<ApplianceFormValues> form={form} layout="vertical" requiredMark={false} onFinish={() => void submit()} initialValues={INITIAL} data-testid="appliance-form">
        <ApplianceConnectionFields rule={fieldRule} tagOptions={tagOptions} />
        <ApplianceLoginFields rule={fieldRule} stored={null} />
        {/* Enter in any box submits: that is "Next". */}
        <button type="submit" hidden aria-hidden />
      </Form>
      <Flex justify="end" gap={8}>
        <Button onClick={onCancel} data-testid="appliance-cancel">
          {t('common.cancel')}
        </Button>
        <Button type="primary" loading={add.isPending || update.isPending} onClick={() => form.submit()} data-testid="appliance-submit">
          {t('wizard.next')}
        </Button>
      </Flex>
    </>
  );
}
