import type { common as en } from '../en/common';
import type { OtherOnly } from '../plural';

/** The shell: app title, navigation, header, connection and session banners, table and page chrome, roles. */
export const common = {
  'app.title': '设备控制台',

  'nav.fleet': '设备管理',
  'nav.storage': '存储',
  'nav.cdn': 'CDN',
  'nav.streaming': '直播',
  'nav.production': '5G 制作',
  'nav.dora': 'Dora 媒体处理',
  'nav.alerts': '告警',
  'nav.reports': '报表',
  'nav.settings': '设置',

  'header.language': '语言',
  'header.theme': '主题',
  'theme.system': '跟随系统',
  'theme.light': '浅色',
  'theme.dark': '深色',

  'connection.offline': '连接已断开，正在重连…',
  'connection.offlineDetail': '与控制台主机的实时更新已中断，连接恢复前显示的内容可能不是最新的。',
  'transport.unreachable': '无法连接控制台主机。请确认它仍在运行，然后重试。',
  'transport.bad-response': '控制台主机返回了本页面无法识别的应答。请刷新页面；如果问题持续，请反馈。',

  'session.expiredTitle': '会话已结束',
  'session.expiredDetail': '控制台主机不再接受此浏览器会话。请在运行控制台的机器上，打开下面这条命令输出的登录地址（如果它已停止，请重新运行）。',
  'session.loginUrlShape': '登录地址形如 {url}',

  'common.cancel': '取消',
  'common.retry': '重试',
  'common.loadFailed': '无法加载数据',
  'common.copy': '复制',
  'common.copied': '已复制',
  'common.listSeparator': '；',

  'page.crashed': '此页面出现故障',
  'page.crashedDetail': '显示此页面时出错，控制台的其他部分仍可正常使用。',

  'notBuilt.title': '尚未完成',
  'notBuilt.detail': '此页面将随{feature}一起提供。',
  'features.storage': ' Kodo 对象存储（兼容 S3，在设备的多块磁盘间纠删码冗余）',
  'features.cdn': ' CDN 边缘缓存服务',
  'features.streaming': '直播功能（RTMP/SRT 推流、HLS 时移与录制）',
  'features.production': ' 5G 智能盒支持（实时预览、画面标注、云端审片）',
  'features.dora': ' Dora 媒体处理（转码、截图、内容分析）',
  'features.alerts': '监控与告警功能',
  'features.reports': '报表导出功能（PDF、CSV、XLSX）',

  'role.server': '存储一体机',
  'role.smartbox': '5G 智能盒',
  'role.server.short': '一体机',
  'role.smartbox.short': '智能盒',
  'host.desktop': '桌面应用',
  'host.serve': '无界面主机（浏览器访问）',
  'host.cli': '命令行',
  'table.sortBy': '按{column}排序',
  'table.sortedAscending': '{column}：升序；点击改为降序',
  'table.sortedDescending': '{column}：降序；点击取消排序',
} satisfies OtherOnly<typeof en>;
