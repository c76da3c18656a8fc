// Kodo's S3 multipart operations: see README.md beside this file.
export { multipartRoute } from './multipart-route';
export { abortMultipartUpload, completeMultipartUpload, createMultipartUpload, listMultipartUploads, listParts, parseCompleteBody, uploadPart } from './multipart-handlers';
export { uploadPartCopy } from './upload-part-copy';
export { fromMultipartError } from './multipart-errors';
