/**
 * What a diagnose finding says, in both languages the console ships: its title, what it means, and
 * a remedy a person can follow at the machine. One catalogue for the CLI and the UI (the renderer
 * imports only main/contract), keyed by the finding's code; `{name}` is replaced by the finding's
 * params. The checks that raise them: main/diagnose/checks/.
 */

export type DiagnoseLocale = 'en' | 'zh-CN';

interface FindingText {
  title: string;
  meaning: string;
  remedy: string;
}

export const FINDING_TEXTS: Record<string, Record<DiagnoseLocale, FindingText>> = {
  'reach.unreachable': {
    en: {
      title: 'The machine cannot be reached over SSH',
      meaning: 'The console got no SSH session: {detail}',
      remedy: 'Check that the machine is powered on, its network cable or link is up and {address} port {port} is reachable from this laptop (ping, then ssh); at the machine, check `ip link` and that sshd runs.',
    },
    'zh-CN': {
      title: '无法通过 SSH 连接到设备',
      meaning: '控制台未能建立 SSH 会话：{detail}',
      remedy: '确认设备已通电、网线或链路正常，且本机可访问 {address} 的 {port} 端口（先 ping，再 ssh）；在设备上检查 `ip link` 以及 sshd 是否在运行。',
    },
  },
  'reach.slow': {
    en: {
      title: 'The network to the machine is slow',
      meaning: 'A command round trip over SSH took {ms} ms (under 200 ms is usual on a LAN).',
      remedy: 'Look for a congested or lossy link between this laptop and the machine: try another port or cable, and check the switch and the NIC error counters below.',
    },
    'zh-CN': {
      title: '到设备的网络较慢',
      meaning: '经 SSH 执行一条命令往返耗时 {ms} 毫秒（局域网内通常低于 200 毫秒）。',
      remedy: '检查本机与设备之间的链路是否拥塞或丢包：换一个端口或网线，并查看交换机及下方的网卡错误计数。',
    },
  },
  'auth.sudo-refused': {
    en: {
      title: 'The login cannot run commands as root',
      meaning: 'sudo refused {user}: {detail}',
      remedy: 'Give {user} sudo rights on the machine (or store its sudo password in the appliance settings), or log in as root.',
    },
    'zh-CN': {
      title: '登录用户无法以 root 身份执行命令',
      meaning: 'sudo 拒绝了 {user}：{detail}',
      remedy: '在设备上为 {user} 授予 sudo 权限（或在设备设置中保存其 sudo 密码），或改用 root 登录。',
    },
  },
  'agent.not-installed': {
    en: {
      title: 'The agent is not installed',
      meaning: 'No agent program was found under {dir}.',
      remedy: 'Provision the appliance from the console (Install); monitoring and services need the agent.',
    },
    'zh-CN': {
      title: '代理未安装',
      meaning: '在 {dir} 下未找到代理程序。',
      remedy: '在控制台对设备执行部署（安装）；监控和服务都需要代理。',
    },
  },
  'agent.not-running': {
    en: {
      title: 'The agent is not running',
      meaning: 'The agent is installed but no agent process runs.{logTail}',
      remedy: 'Start it (`systemctl start appliance-agent`, or the watchdog starts it within a minute where there is no systemd); if it keeps stopping, read {log} and check the file systems below (a full disk stops it).',
    },
    'zh-CN': {
      title: '代理未运行',
      meaning: '代理已安装，但没有代理进程在运行。{logTail}',
      remedy: '启动代理（`systemctl start appliance-agent`；没有 systemd 时看门狗会在一分钟内启动它）；若反复停止，请查看 {log}，并检查下方的文件系统（磁盘写满会使其停止）。',
    },
  },
  'disk.fs-full': {
    en: {
      title: 'A file system is nearly full',
      meaning: '{mount} is {usedPercent} % full ({avail} left).',
      remedy: 'Free space on {mount}: delete or move data (for a data disk: delete objects, or add disks or appliances); logs under /var/log can be rotated.',
    },
    'zh-CN': {
      title: '文件系统即将写满',
      meaning: '{mount} 已使用 {usedPercent}%（剩余 {avail}）。',
      remedy: '释放 {mount} 的空间：删除或迁移数据（数据盘：删除对象，或增加磁盘或设备）；/var/log 下的日志可以轮转。',
    },
  },
  'disk.inodes-full': {
    en: {
      title: 'A file system is running out of inodes',
      meaning: '{mount} has used {usedPercent} % of its inodes: new files cannot be created even with space left.',
      remedy: 'Delete many small files on {mount} (temporary files, old logs); a data disk holding many small objects may need a file system made with more inodes.',
    },
    'zh-CN': {
      title: '文件系统的 inode 即将耗尽',
      meaning: '{mount} 已使用 {usedPercent}% 的 inode：即使仍有空间也无法创建新文件。',
      remedy: '删除 {mount} 上大量的小文件（临时文件、旧日志）；存放大量小对象的数据盘可能需要以更多 inode 重新创建文件系统。',
    },
  },
  'disk.fs-readonly': {
    en: {
      title: 'A file system is mounted read-only',
      meaning: '{mount} ({device}) is read-only: nothing can be written there. The kernel does this after I/O errors to protect the data.',
      remedy: 'Check the disk (the kernel I/O errors and SMART findings here); replace it if it is failing. Otherwise unmount it, run `fsck {device}`, and mount it again.',
    },
    'zh-CN': {
      title: '文件系统以只读方式挂载',
      meaning: '{mount}（{device}）为只读：无法写入。内核在出现 I/O 错误后会这样做以保护数据。',
      remedy: '检查该磁盘（见此处的内核 I/O 错误和 SMART 结果）；若磁盘故障请更换。否则卸载后执行 `fsck {device}` 再重新挂载。',
    },
  },
  'disk.mount-missing': {
    en: {
      title: 'A data disk is not mounted',
      meaning: 'The agent last reported a data disk at {mount}, but nothing is mounted there now: what is written there goes to the system disk.',
      remedy: 'Check that the disk is seated and seen (`lsblk`), then mount it (`mount {mount}`, from /etc/fstab). If it died, replace it and use “I replaced a disk” on the Storage page.',
    },
    'zh-CN': {
      title: '数据盘未挂载',
      meaning: '代理上次报告在 {mount} 有一块数据盘，但现在那里没有挂载任何东西：写入那里的数据会落到系统盘上。',
      remedy: '确认磁盘已插好且能被识别（`lsblk`），然后挂载（`mount {mount}`，依据 /etc/fstab）。若磁盘已损坏，请更换并在存储页使用“我已更换磁盘”。',
    },
  },
  'kernel.io-errors': {
    en: {
      title: 'The kernel logged I/O errors',
      meaning: '{count} I/O error lines for {device} in the kernel log; the last: {last}',
      remedy: 'The disk or its cable/controller is failing: check its SMART verdict, reseat or replace the cable, and plan to replace the disk (its data is rebuilt from the others).',
    },
    'zh-CN': {
      title: '内核记录了 I/O 错误',
      meaning: '内核日志中有 {count} 行关于 {device} 的 I/O 错误；最后一行：{last}',
      remedy: '磁盘或其线缆/控制器出现故障：查看其 SMART 结论，重新插拔或更换线缆，并计划更换磁盘（数据会由其他磁盘重建）。',
    },
  },
  'time.skew-ahead': {
    en: {
      title: 'The machine’s clock is ahead',
      meaning: 'The machine’s clock is {seconds} s ahead of this laptop’s.',
      remedy: 'Set the time right (`chronyc makestep`, or `date -s`), and make sure a time service (chrony, systemd-timesyncd) runs with a reachable NTP server: logs, certificates and S3 signatures depend on it.',
    },
    'zh-CN': {
      title: '设备时钟偏快',
      meaning: '设备时钟比本机快 {seconds} 秒。',
      remedy: '校正时间（`chronyc makestep` 或 `date -s`），并确保时间服务（chrony、systemd-timesyncd）在运行且能访问 NTP 服务器：日志、证书和 S3 签名都依赖准确的时间。',
    },
  },
  'time.skew-behind': {
    en: {
      title: 'The machine’s clock is behind',
      meaning: 'The machine’s clock is {seconds} s behind this laptop’s.',
      remedy: 'Set the time right (`chronyc makestep`, or `date -s`), and make sure a time service (chrony, systemd-timesyncd) runs with a reachable NTP server: logs, certificates and S3 signatures depend on it.',
    },
    'zh-CN': {
      title: '设备时钟偏慢',
      meaning: '设备时钟比本机慢 {seconds} 秒。',
      remedy: '校正时间（`chronyc makestep` 或 `date -s`），并确保时间服务（chrony、systemd-timesyncd）在运行且能访问 NTP 服务器：日志、证书和 S3 签名都依赖准确的时间。',
    },
  },
  'time.no-sync': {
    en: {
      title: 'No time synchronisation runs',
      meaning: 'Neither chrony, ntpd nor systemd-timesyncd was found running.',
      remedy: 'Install and enable chrony (`apt install chrony`), pointed at an NTP server the machine can reach.',
    },
    'zh-CN': {
      title: '未运行时间同步',
      meaning: '未发现正在运行的 chrony、ntpd 或 systemd-timesyncd。',
      remedy: '安装并启用 chrony（`apt install chrony`），并指向设备可访问的 NTP 服务器。',
    },
  },
  'memory.low': {
    en: {
      title: 'Memory is short',
      meaning: 'Only {availablePercent} % of memory is available ({available} of {total}).',
      remedy: 'Find what uses it (`ps aux --sort=-rss | head`); stop or limit it, or add memory.',
    },
    'zh-CN': {
      title: '内存不足',
      meaning: '可用内存仅剩 {availablePercent}%（{total} 中的 {available}）。',
      remedy: '找出占用内存的进程（`ps aux --sort=-rss | head`）；停止或限制它，或增加内存。',
    },
  },
  'memory.oom-kills': {
    en: {
      title: 'Processes were killed for lack of memory',
      meaning: 'The kernel’s out-of-memory killer ran {count} times; the last: {last}',
      remedy: 'Find what grew (`ps aux --sort=-rss | head`) and limit it or add memory; check that the agent and services came back (the Services card).',
    },
    'zh-CN': {
      title: '有进程因内存不足被终止',
      meaning: '内核的 OOM 终止机制运行了 {count} 次；最后一次：{last}',
      remedy: '找出内存增长的进程（`ps aux --sort=-rss | head`）并加以限制或增加内存；确认代理和服务已恢复（服务卡片）。',
    },
  },
  'net.link-down': {
    en: {
      title: 'A network interface is down',
      meaning: '{interface} is {state}.',
      remedy: 'Check its cable and switch port; bring it up (`ip link set {interface} up`) if it was set down on purpose and should not be.',
    },
    'zh-CN': {
      title: '网络接口已断开',
      meaning: '{interface} 的状态为 {state}。',
      remedy: '检查其网线和交换机端口；若被人为关闭且不应如此，执行 `ip link set {interface} up`。',
    },
  },
  'net.errors': {
    en: {
      title: 'A network interface reports errors',
      meaning: '{interface}: {errors} receive/transmit errors and {dropped} dropped of {packets} packets since boot.',
      remedy: 'Replace the cable or try another switch port; check the duplex and speed settings match (`ethtool {interface}`).',
    },
    'zh-CN': {
      title: '网络接口报告错误',
      meaning: '{interface}：自启动以来 {packets} 个数据包中有 {errors} 个收发错误、{dropped} 个丢弃。',
      remedy: '更换网线或换一个交换机端口；检查双工和速率设置是否匹配（`ethtool {interface}`）。',
    },
  },
  'dns.no-resolver': {
    en: {
      title: 'No DNS resolver is configured',
      meaning: '/etc/resolv.conf names no nameserver: host names (NTP servers, package mirrors) do not resolve.',
      remedy: 'Add a `nameserver` line for your network’s DNS server to /etc/resolv.conf (or configure it in the network settings).',
    },
    'zh-CN': {
      title: '未配置 DNS 解析',
      meaning: '/etc/resolv.conf 中没有 nameserver：主机名（NTP 服务器、软件源）无法解析。',
      remedy: '在 /etc/resolv.conf 中为所在网络的 DNS 服务器添加 `nameserver` 行（或在网络设置中配置）。',
    },
  },
  'ports.not-listening': {
    en: {
      title: 'A service’s port is not listening',
      meaning: '{service} should listen on TCP {port}, but nothing does.',
      remedy: 'Look at the service on the Services card (its last error), restart it there; if it fails again, read its log.',
    },
    'zh-CN': {
      title: '服务端口未在监听',
      meaning: '{service} 应在 TCP {port} 端口监听，但该端口无人监听。',
      remedy: '在服务卡片中查看该服务（及其最近的错误）并重启；若再次失败，请查看其日志。',
    },
  },
  'smart.warning': {
    en: {
      title: 'A disk’s SMART data shows wear or trouble',
      meaning: '{device} ({model}) reports: {detail} (all reasons: {reasons}).',
      remedy: 'Keep watching it on the Disks tab; plan a replacement at the next visit, and make sure its data has redundancy (the Storage page).',
    },
    'zh-CN': {
      title: '磁盘 SMART 数据显示磨损或异常',
      meaning: '{device}（{model}）报告：{detail}（全部原因：{reasons}）。',
      remedy: '在磁盘页持续关注；在下次维护时计划更换，并确认其数据有冗余（存储页）。',
    },
  },
  'smart.failing': {
    en: {
      title: 'A disk is failing',
      meaning: '{device} ({model}, serial {serial}) reports: {detail} (all reasons: {reasons}).',
      remedy: 'Replace it soon: the object store rebuilds its data onto the new disk (Storage page, “I replaced a disk”). Until then avoid extra load on it.',
    },
    'zh-CN': {
      title: '磁盘即将损坏',
      meaning: '{device}（{model}，序列号 {serial}）报告：{detail}（全部原因：{reasons}）。',
      remedy: '尽快更换：对象存储会把数据重建到新盘上（存储页“我已更换磁盘”）。在此之前避免给它增加负载。',
    },
  },
  'smart.failed': {
    en: {
      title: 'A disk has failed',
      meaning: '{device} ({model}, serial {serial}) reports: {detail} (all reasons: {reasons}).',
      remedy: 'Replace it now (serial {serial}); the object store rebuilds its data onto the new disk (Storage page, “I replaced a disk”).',
    },
    'zh-CN': {
      title: '磁盘已损坏',
      meaning: '{device}（{model}，序列号 {serial}）报告：{detail}（全部原因：{reasons}）。',
      remedy: '立即更换（序列号 {serial}）；对象存储会把数据重建到新盘上（存储页“我已更换磁盘”）。',
    },
  },
  'service.crashes': {
    en: {
      title: 'A service crashed recently',
      meaning: '{service} crashed {count} times in the last day (the agent restarted it each time).',
      remedy: 'Read its last error on the Services card and its lines in {log}; a crash loop often follows a full disk or a bad config (service configure).',
    },
    'zh-CN': {
      title: '服务近期发生崩溃',
      meaning: '{service} 在过去一天内崩溃了 {count} 次（代理每次都重新启动了它）。',
      remedy: '在服务卡片中查看其最近的错误，并在 {log} 中查看相关日志；反复崩溃常由磁盘写满或配置错误引起（服务配置）。',
    },
  },
  'check.failed': {
    en: {
      title: 'A check could not finish',
      meaning: 'The check “{check}” did not finish: {detail}',
      remedy: 'Run diagnose again; if it keeps failing, run the command shown at the machine to see why.',
    },
    'zh-CN': {
      title: '有检查未能完成',
      meaning: '检查“{check}”未完成：{detail}',
      remedy: '重新运行诊断；若仍失败，请在设备上运行所示命令查看原因。',
    },
  },
};

/** A finding's text in a language, its params filled in. Unknown codes say so rather than vanish. */
export function findingText(code: string, params: Record<string, string | number>, locale: DiagnoseLocale): FindingText {
  const entry = FINDING_TEXTS[code]?.[locale];
  const fill = (s: string) => s.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
  if (!entry) return { title: code, meaning: JSON.stringify(params), remedy: '' };
  return { title: fill(entry.title), meaning: fill(entry.meaning), remedy: fill(entry.remedy) };
}
