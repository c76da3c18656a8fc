import type { status as en } from '../en/status';
import type { OtherOnly } from '../plural';

/** Online / degraded / offline / not-provisioned states and the reasons behind them (status.reason.<code>). */
export const status = {
  'status.online': '在线',
  'status.degraded': '降级',
  'status.offline': '离线',
  'status.unknown': '尚未检查',
  'status.not-provisioned': '未部署',
  'status.since': '{time}起',
  'status.tooltip': '自 {time}（{zone}）起{state}',
  'status.reason': '原因：{reason}',
  'status.checkedAt': '最近检查：{time}',
  'status.column': '状态',
  'status.agentColumn': '版本',
  'status.agentColumnHint': '设备最后报告的代理程序版本',
  'status.reason.agent.not-installed': '未安装代理程序：请先部署。',
  'status.reason.agent.silent': '代理程序无响应：{detail}',
  'status.reason.cancelled': '已被人为取消；下次运行会修复遗留部分。',
  'status.reason.step-failed': '运行中的某个步骤失败；输出见运行日志。',
  'status.reason.run-in-progress': '此设备上已有另一个运行正在进行。',
  'status.reason.preflight.not-ready.other': '设备尚未就绪：{count} 项预检未通过。预检报告列出了修复方法。',
  'status.reason.install.disk-full': '设备在 {dir} 中安装 {file} 时磁盘空间不足：请释放该文件系统的空间（df -h /opt）后重新运行。',
  'status.reason.agent.unhealthy': '代理程序未能进入健康状态；请查看设备上的 /var/log/appliance-agent/agent.log。',
  'status.reason.uninstall.still-running': '代理程序仍在运行（PID {pids}）：请在设备上停止它后重新运行。',
  'status.reason.uninstall.remove-failed': '无法删除 {paths}。',
  'status.reason.agent.reports.other': '代理程序报告了 {count} 个问题，第一个：{problem}',
  'status.agentLastAnswered': '最后响应于 {time}',
} satisfies OtherOnly<typeof en>;
