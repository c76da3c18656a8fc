/**
 * The page shown without a session. Bilingual on purpose: it is served before we know the user's
 * language, and it must tell a person what to do in either.
 */
export function loginRequiredPage(reason = 'This console needs a login link.'): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html><head><meta charset="utf-8"><title>Appliance Console — login required / 需要登录</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;line-height:1.6}code{background:#eee;padding:.1rem .3rem}</style></head>
<body><h1>Appliance Console</h1>
<p>${esc(reason)} Open the login URL that <code>appliance-console serve</code> printed when it started (it contains <code>?token=</code>).</p>
<p lang="zh-CN">需要登录链接。请打开 <code>appliance-console serve</code> 启动时打印的登录地址（包含 <code>?token=</code>）。</p>
</body></html>`;
}
