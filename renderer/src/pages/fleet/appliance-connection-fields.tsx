import { Col, Form, Input, InputNumber, Radio, Row, Select } from 'antd';
import { APPLIANCE_ROLES } from '../../../../main/contract/fleet.contract';
import { useI18n } from '../../i18n/i18n-context';
import type { FieldRule } from './appliance-dialog';
import { ROLE_LABELS } from './appliance-labels';
import type { ApplianceFormValues } from './appliance-form-model';

const Item = Form.Item<ApplianceFormValues>;

/** Name, SSH endpoint, role, tags and notes. */
export function ApplianceConnectionFields({ rule, tagOptions }: { rule: FieldRule; tagOptions: readonly string[] }) {
  const { t } = useI18n();
  return (
    <>
      <Row gutter={12}>
        <Col span={13}>
          <Item name="name" label={t('fleet.field.name')} rules={[rule('name')]}>
            <Input data-testid="appliance-name" autoFocus maxLength={64} placeholder={t('fleet.field.namePlaceholder')} />
          </Item>
        </Col>
        <Col span={11}>
          <Item name="role" label={t('fleet.field.role')} rules={[rule('role')]}>
            <Radio.Group data-testid="appliance-role" optionType="button">
              {APPLIANCE_ROLES.map((role) => (
                <Radio.Button key={role} value={role}>
                  <span data-testid={`appliance-role-${role}`}>{t(ROLE_LABELS[role])}</span>
                </Radio.Button>
              ))}
            </Radio.Group>
          </Item>
        </Col>
      </Row>
      <Row gutter={12}>
        <Col span={13}>
          <Item name="address" label={t('fleet.field.address')} rules={[rule('address')]} tooltip={t('fleet.field.addressHelp')}>
            <Input data-testid="appliance-address" placeholder="192.0.2.10" spellCheck={false} autoComplete="off" />
          </Item>
        </Col>
        <Col span={4}>
          <Item name="port" label={t('fleet.field.port')} rules={[rule('port')]}>
            {/* No min/max/precision here: InputNumber would silently clamp or round (70000 → 65535);
                the contract schema reports the problem instead. */}
            <InputNumber<number> data-testid="appliance-port" placeholder="22" controls={false} style={{ width: '100%' }} />
          </Item>
        </Col>
        <Col span={7}>
          <Item name="user" label={t('fleet.field.user')} rules={[rule('user')]}>
            <Input data-testid="appliance-user" placeholder="root" spellCheck={false} autoComplete="off" />
          </Item>
        </Col>
      </Row>
      <Item name="tags" label={t('fleet.field.tags')} rules={[rule('tags')]} tooltip={t('fleet.field.tagsHelp')}>
        <Select
          data-testid="appliance-tags"
          mode="tags"
          tokenSeparators={[',', ' ', '，']}
          options={tagOptions.map((tag) => ({ value: tag, label: tag }))}
          placeholder={t('fleet.field.tagsPlaceholder')}
        />
      </Item>
      <Item name="notes" label={t('fleet.field.notes')} rules={[rule('notes')]}>
        <Input.TextArea data-testid="appliance-notes" autoSize={{ minRows: 1, maxRows: 5 }} showCount maxLength={2000} />
      </Item>
    </>
  );
}
