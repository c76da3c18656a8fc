import { describe, expect, it } from 'vitest';
import { placementOf } from '../../main/monitoring/monitoring-api';

const blockDevices = [
  { name: 'sda', path: '/dev/sda', sizeBytes: 4e12, mountpoint: null, parent: null },
  { name: 'sda1', path: '/dev/sda1', sizeBytes: 4e12, mountpoint: '/data/obj1', parent: 'sda' },
  { name: 'sdb', path: '/dev/sdb', sizeBytes: 4e12, mountpoint: '/srv/disks/d2', parent: null, idPaths: ['/dev/disk/by-id/ata-X'], slot: '0:0:1:0' },
  { name: 'vda', path: '/dev/vda', sizeBytes: 5e10, mountpoint: '/', parent: null },
];

describe('where a disk sits and whether the services store data on it', () => {
  it('takes the data-disk role from agent.json’s list when the agent reports one, wherever the disk is mounted', () => {
    const inventory = { blockDevices, dataDisks: [{ device: 'sda', mountpoint: '/data/obj1', sizeBytes: 4e12 }] };
    expect(placementOf('/dev/sda', inventory)).toEqual({ mountpoints: ['/data/obj1'], dataDisk: true, sizeBytes: 4e12, idPaths: [], slot: null });
    // Mounted under /srv/disks, but not one agent.json gives the services.
    expect(placementOf('/dev/sdb', inventory)).toMatchObject({ mountpoints: ['/srv/disks/d2'], dataDisk: false, idPaths: ['/dev/disk/by-id/ata-X'], slot: '0:0:1:0' });
    expect(placementOf('/dev/vda', inventory).dataDisk).toBe(false);
  });

  it('gives no disk the data-disk role until the agent reports its data disks, whatever the mount points', () => {
    const inventory = { blockDevices };
    expect(placementOf('/dev/sdb', inventory).dataDisk).toBe(false);
    expect(placementOf('/dev/sda', inventory).dataDisk).toBe(false);
    expect(placementOf('/dev/nvme0n1', null)).toEqual({ mountpoints: [], dataDisk: false, sizeBytes: null, idPaths: [], slot: null });
  });
});
