// Kodo's storage engine: see README.md beside this file.
export { openStore, DEFAULT_BLOCK_SIZE, DEFAULT_INLINE_LIMIT } from './store';
export type { ObjectStore, StoreOptions } from './store';
export { StoreError } from './errors';
export type { StoreErrorCode } from './errors';
export type { ObjectBody } from './body-reader';
export type { ObjectInfo, PutMeta } from './object-writer';
export type { ByteRange, GetResult } from './object-reader';
export type { ListOptions, ListPage } from './listing';
export type { BucketInfo } from './buckets';
export type { DiskSlot } from './disk-format';
export type { ShardProblem, StoreFaults } from './store-context';
export { compareKeys, encodeSegment, decodeSegment, validateKey, validateBucketName } from './object-key';
export type { HealResult } from './heal';
export type { BucketSettings } from './buckets';
export type { CompleteOptions, CompletePart, ListPartsOptions, PartInfo, PartsPage } from './multipart';
export type { ListUploadsOptions, UploadInfo, UploadsPage } from './multipart-listing';
export { MIN_PART_SIZE } from './multipart-meta';
export { MAX_PART_NUMBER } from './object-meta';
