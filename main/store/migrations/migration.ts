export interface Migration {
  /** 1-based; equals its position in MIGRATIONS. */
  version: number;
  name: string;
  /** Plain SQL, run inside one transaction together with the version bump. */
  sql: string;
}
