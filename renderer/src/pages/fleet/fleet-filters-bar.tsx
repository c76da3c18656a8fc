import { SearchOutlined } from '@ant-design/icons';
import { Flex, Input, Select } from 'antd';
import { APPLIANCE_ROLES } from '../../../../main/contract/appliance-roles';
import { useI18n } from '../../i18n/i18n-context';
import { ROLE_LABELS } from './appliance-labels';
import type { FleetFilter } from './fleet-filter';

interface FleetFiltersBarProps {
  value: FleetFilter;
  onChange(next: FleetFilter): void;
  tags: readonly string[];
}

export function FleetFiltersBar({ value, onChange, tags }: FleetFiltersBarProps) {
  const { t } = useI18n();
  return (
    <Flex gap={12} wrap>
      <Input
        data-testid="fleet-search"
        allowClear
        prefix={<SearchOutlined />}
        placeholder={t('fleet.filter.searchPlaceholder')}
        aria-label={t('fleet.filter.searchPlaceholder')}
        style={{ width: 320 }}
        value={value.text}
        onChange={(e) => onChange({ ...value, text: e.target.value })}
      />
      <Select
        data-testid="fleet-filter-role"
        allowClear
        placeholder={t('fleet.filter.allRoles')}
        aria-label={t('fleet.column.role')}
        style={{ width: 180 }}
        value={value.role ?? undefined}
        onChange={(role) => onChange({ ...value, role: role ?? null })}
        options={APPLIANCE_ROLES.map((role) => ({ value: role, label: t(ROLE_LABELS[role]) }))}
      />
      <Select
        data-testid="fleet-filter-tag"
        allowClear
        showSearch
        placeholder={t('fleet.filter.allTags')}
        aria-label={t('fleet.column.tags')}
        notFoundContent={t('fleet.filter.noTags')}
        style={{ width: 180 }}
        value={value.tag ?? undefined}
        onChange={(tag) => onChange({ ...value, tag: tag ?? null })}
        options={tags.map((tag) => ({ value: tag, label: tag }))}
      />
    </Flex>
  );
}
