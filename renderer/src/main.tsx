// antd's prebuilt component styles (the theme runs with zeroRuntime: app/preferences-provider.tsx),
// linked from index.html so the browser loads them beside the code.
import 'antd/dist/antd.css';
import { createRoot } from 'react-dom/client';
import { fleetListQuery } from './api/fleet-hooks';
import { createConsoleQueryClient } from './api/query-client';
import { selectTransport } from './api/select-transport';
import { settingsQuery } from './api/system-hooks';
import { createTypedClient } from './api/typed-client';
import { AppRoot } from './app/app-root';
import { DEFAULT_NAV_KEY, fleetPage } from './app/navigation';
import { detectLocale } from './i18n/detect-locale';
import { createTranslator } from './i18n/translate';

/** Longest the first frame waits for the landing page's data (see boot). */
const FIRST_RENDER_WAIT_MS = 300;

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The renderer's composition root: pick the transport, build the client, render. */
function boot(): void {
  const transport = selectTransport();
  const client = createTypedClient(transport.bridge);
  const queryClient = createConsoleQueryClient();

  document.title = createTranslator(detectLocale()).t('app.title');

  // Cold-start budget: fetch settings, and for the landing page its data and code, in parallel
  // instead of one after another. The shell waits for settings before its first frame anyway (no
  // flash of the wrong language); waiting for the Fleet code and list as well lets shell, page and
  // rows render in one pass instead of shell, spinner, empty table, rows — each pass costs antd
  // a round of style work and forced layouts. The wait is capped so a slow list never holds back
  // the shell.
  const settingsReady = queryClient.prefetchQuery(settingsQuery(client));
  const route = window.location.hash.replace(/^#\/?/, '').split(/[/?]/)[0] || DEFAULT_NAV_KEY;
  // Land on the page's own URL directly: a redirect route would cost one more render pass.
  if (!window.location.hash.replace(/^#\/?/, '')) window.history.replaceState(null, '', `#/${DEFAULT_NAV_KEY}`);
  const landing =
    route === 'fleet'
      ? Promise.all([settingsReady, fleetPage.preload(), Promise.race([queryClient.prefetchQuery(fleetListQuery(client)), delay(FIRST_RENDER_WAIT_MS)])])
      : settingsReady;

  const container = document.getElementById('root');
  if (!container) throw new Error('index.html has no #root element');
  const render = (): void => createRoot(container).render(<AppRoot transport={transport} client={client} queryClient={queryClient} />);
  // A failed chunk load is not fatal here: the page's error boundary reports it after render.
  landing.then(render, render);
}

boot();
