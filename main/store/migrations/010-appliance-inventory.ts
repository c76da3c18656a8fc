import type { Migration } from './migration';

/**
 * The inventory (`inventory.v1`: CPUs, memory, block devices, file systems, NICs — tens of KiB of
 * JSON on a real machine) moves out of `appliance_status` into a table of its own. The watch writes
 * the status row after every check of every appliance (100 a second at 1,000 appliances), and
 * SQLite rewrites a whole row, overflow pages included, whatever column changes; the inventory
 * changes every 10 minutes at most. Now a check reads and writes a row of a few hundred bytes.
 */
export const m010ApplianceInventory: Migration = {
  version: 10,
  name: 'appliance inventory in its own table',
  sql: `
    CREATE TABLE appliance_inventory (
      appliance_id    TEXT PRIMARY KEY REFERENCES appliances (id) ON DELETE CASCADE,
      inventory_json  TEXT NOT NULL,
      collected_at    TEXT NOT NULL
    );
    INSERT INTO appliance_inventory (appliance_id, inventory_json, collected_at)
      SELECT appliance_id, inventory_json, inventory_at FROM appliance_status
       WHERE inventory_json IS NOT NULL AND inventory_at IS NOT NULL;
    ALTER TABLE appliance_status DROP COLUMN inventory_json;
    ALTER TABLE appliance_status DROP COLUMN inventory_at;
  `,
};
