import { Button, Flex, Result, Spin } from 'antd';
import { useState } from 'react';
import { useParams } from 'react-router';
import type { Appliance } from '../../../../main/contract/fleet.contract';
import { useFleetList } from '../../api/fleet-hooks';
import type { ProvisionAction } from '../../api/provision-hooks';
import { QueryErrorAlert } from '../../components/query-error-alert';
import { useI18n } from '../../i18n/i18n-context';
import { ConnectionTestDialog } from '../fleet/connection-test-dialog';
import { ProvisionDialog } from '../fleet/provision-dialog';
import { UninstallDialog } from '../fleet/uninstall-dialog';
import { AgentSettingsCard } from './agent-settings-card';
import { DiagnoseCard } from './diagnose-card';
import { SupportBundleCard } from './support-bundle-card';
import { TerminalCard } from './terminal-card';
import { ApplianceHeader } from './appliance-header';
import { EventsTimeline } from './events-timeline';
import { HealthCard } from './health-card';
import { InventoryCards } from './inventory-cards';
import { MonitoringTabs } from './monitoring/monitoring-tabs';
import { ServicesCard } from './services-card';

/**
 * One appliance (`#/fleet/<id>`): who it is and how it is doing (status since when, last seen,
 * agent), what runs on it (health, services) and the agent's own settings, what it is made of (inventory), and what happened
 * (events, live). The record comes from the fleet list, so a removed appliance shows "not found".
 */
export default function AppliancePage() {
  const { t } = useI18n();
  const { id = '' } = useParams();
  const fleet = useFleetList();
  const appliance = fleet.data?.find((a) => a.id === id);

  if (fleet.isError && !fleet.data) return <QueryErrorAlert error={fleet.error} onRetry={() => void fleet.refetch()} />;
  if (!fleet.data) return <Spin style={{ marginTop: 48 }} />;
  if (!appliance) {
    return (
      <Result
        status="404"
        title={t('appliance.notFound.title')}
        subTitle={t('appliance.notFound.detail')}
        extra={
          <Button type="primary" href="#/fleet" data-testid="appliance-back">
            {t('appliance.backToFleet')}
          </Button>
        }
        data-testid="appliance-not-found"
      />
    );
  }
  // Keyed by id: moving to another appliance starts with fresh dialogs and paging.
  return <ApplianceDetail key={appliance.id} appliance={appliance} />;
}

function ApplianceDetail({ appliance }: { appliance: Appliance }) {
  const [running, setRunning] = useState<ProvisionAction | null>(null);
  const [uninstalling, setUninstalling] = useState(false);
  const [testing, setTesting] = useState(false);
  return (
    <Flex vertical gap={16} data-testid="appliance-page">
      <ApplianceHeader
        appliance={appliance}
        onProvision={() => setRunning({ kind: 'provision' })}
        onUpgrade={() => setRunning({ kind: 'upgrade' })}
        onUninstall={() => setUninstalling(true)}
        onTest={() => setTesting(true)}
      />
      <Flex gap={16} wrap align="stretch">
        <div style={{ flex: '1 1 320px', minWidth: 0 }}>
          <HealthCard applianceId={appliance.id} />
        </div>
        <div style={{ flex: '2 1 560px', minWidth: 0 }}>
          <ServicesCard applianceId={appliance.id} />
        </div>
      </Flex>
      <DiagnoseCard applianceId={appliance.id} />
      <SupportBundleCard applianceId={appliance.id} />
      <TerminalCard applianceId={appliance.id} />
      <AgentSettingsCard applianceId={appliance.id} />
      <InventoryCards applianceId={appliance.id} />
      <MonitoringTabs applianceId={appliance.id} />
      <EventsTimeline applianceId={appliance.id} />
      {running && <ProvisionDialog appliance={appliance} action={running} onClose={() => setRunning(null)} />}
      {uninstalling && (
        <UninstallDialog
          appliance={appliance}
          onClose={() => setUninstalling(false)}
          onConfirm={(purge) => {
            setUninstalling(false);
            setRunning({ kind: 'uninstall', purge });
          }}
        />
      )}
      {testing && <ConnectionTestDialog appliance={appliance} onClose={() => setTesting(false)} />}
    </Flex>
  );
}
