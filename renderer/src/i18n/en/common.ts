/** The shell: app title, navigation, header, connection and session banners, table and page chrome, roles. Keys: `app.*`, `nav.*`, `header.*`, `theme.*`, `connection.offline.*`, `connection.offlineDetail.*`, `transport.*`, `session.*`, `host.*`, `page.*`, `notBuilt.*`, `features.*`, `common.*`, `table.*`, `role.*`. */
export const common = {
  'app.title': 'Appliance Console',

  'nav.fleet': 'Fleet',
  'nav.storage': 'Storage',
  'nav.cdn': 'CDN',
  'nav.streaming': 'Streaming',
  'nav.production': 'Production',
  'nav.dora': 'Dora',
  'nav.alerts': 'Alerts',
  'nav.reports': 'Reports',
  'nav.settings': 'Settings',

  'header.language': 'Language',
  'header.theme': 'Theme',
  'theme.system': 'Follow system',
  'theme.light': 'Light',
  'theme.dark': 'Dark',

  'connection.offline': 'Disconnected — reconnecting…',
  'connection.offlineDetail': 'Live updates from the console host stopped. What you see may be out of date until the connection is back.',
  'transport.unreachable': 'Cannot reach the console host. Check that it is still running and try again.',
  'transport.bad-response': 'The console host sent an answer this page does not understand. Reload the page; if it persists, report it.',

  'session.expiredTitle': 'Your session has ended',
  'session.expiredDetail': 'The console host no longer accepts this browser session. Open the login URL printed by the command below on the machine that runs the console (run it again if it has stopped).',
  'session.loginUrlShape': 'The login URL looks like {url}',

  'common.cancel': 'Cancel',
  'common.retry': 'Try again',
  'common.loadFailed': 'Could not load this data',
  'common.copy': 'Copy',
  'common.copied': 'Copied',
  'common.listSeparator': '; ',

  'page.crashed': 'This page stopped working',
  'page.crashedDetail': 'Something went wrong while showing it. The rest of the console still works.',

  'notBuilt.title': 'Not built yet',
  'notBuilt.detail': 'This page arrives with {feature}.',
  'features.storage': 'Kodo object storage (S3-compatible, erasure-coded across the appliance’s disks)',
  'features.cdn': 'the CDN edge cache service',
  'features.streaming': 'live streaming (RTMP/SRT ingest, HLS time-shift and recording)',
  'features.production': '5G smart box support (live previews, footage markup, cloud review)',
  'features.dora': 'Dora media processing (transcoding, snapshots, content analysis)',
  'features.alerts': 'monitoring and alerts',
  'features.reports': 'report export (PDF, CSV, XLSX)',

  'role.server': 'Storage appliance',
  'role.smartbox': '5G smart box',
  'host.desktop': 'Desktop app',
  'host.serve': 'Headless host (browser)',
  'host.cli': 'Command line',
  'table.sortBy': 'Sort by {column}',
  'table.sortedAscending': '{column}: sorted ascending; click to sort descending',
  'table.sortedDescending': '{column}: sorted descending; click to clear sorting',
} as const satisfies Record<string, string>;
