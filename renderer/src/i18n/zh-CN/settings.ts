import type { settings as en } from '../en/settings';
import type { OtherOnly } from '../plural';

/** Settings: preferences, retention, audit log, system information. */
export const settings = {
  'settings.title': '设置',
  'settings.preferences': '偏好',
  'settings.language': '语言',
  'settings.languageSystem': '跟随系统',
  'settings.languageFollowsSystem': '正在使用此浏览器或操作系统的语言。',
  'settings.theme': '主题',
  'settings.retention.title': '监控数据保留期',
  'settings.retention.help': '控制台保留每台设备指标的时长。图表读取能填满视图的最粗粒度，因此一年的图表读取的是每小时平均值。',
  'settings.retention.raw': '原始采样（10 秒）',
  'settings.retention.minute': '1 分钟平均值',
  'settings.retention.hour': '1 小时平均值',
  'settings.retention.days': '天',
  'settings.retention.save': '保存',
  'settings.retention.saved': '已保存。新的保留期将在控制台下次启动时生效。',
  'settings.retention.appliesAtStart': '在控制台下次启动时生效；超出新保留期的数据随后会在一小时内删除。',

  'system.title': '关于本控制台',
  'system.version': '版本',
  'system.host': '运行方式',
  'system.dataDir': '数据目录',
  'system.secretStorage': '密钥保护方式',
  'system.secretStorage.os-keychain': '操作系统钥匙串',
  'system.secretStorage.key-file': '数据目录中的密钥文件',
  'system.schemaVersion': '数据库结构版本',
  'system.osLocale': '系统语言',

  'audit.title': '审计日志',
  'audit.column.time': '时间（本地）',
  'audit.column.host': '来源',
  'audit.column.actor': '操作者',
  'audit.column.method': '操作',
  'audit.column.target': '对象',
  'audit.column.result': '结果',
  'audit.result.ok': '成功',
  'audit.result.error': '失败',
  'audit.loadMore': '加载更多',
  'audit.end': '没有更早的记录',
  'audit.empty': '暂无变更记录',
} satisfies OtherOnly<typeof en>;
