// Qiniu's own API on Kodo: see README.md beside this file.
export { createQiniuHandler, type QiniuHandler } from './qiniu-handler';
export type { QiniuDeps, QiniuLog } from './qiniu-deps';
export { Qetag, qetagOf, qetagOfParts } from './qetag';
