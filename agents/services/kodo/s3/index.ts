// Kodo's S3 API: see README.md beside this file.
export { createS3Handler } from './router';
export type { S3Deps, S3Context } from './s3-context';
export { S3Error } from './s3-errors';
