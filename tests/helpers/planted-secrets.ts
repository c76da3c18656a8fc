/**
 * Secrets of every kind a support bundle must redact (issue 10 §2), for the redactor's unit test and
 * the bundle's testbed test. All made up: none is anyone's.
 */
export const PLANTED = {
  password: 'Hunter2-very-secret',
  token: 'tok_9f8e7d6c5b4a39281706',
  privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACDJmZZ1aHR0cHM6Ly9leGFtcGxlLmNvbQ==\n-----END OPENSSH PRIVATE KEY-----',
  awsKeyId: 'AKIAIOSFODNN7EXAMPLE',
  kodoKeyId: 'KODO7Q2M4X9B3N8V1C6Z',
  s3Secret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  connectionPassword: 'pg-Pa55w0rd',
  bearer: 'abcDEF123456ghiJKL789mno',
  jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  custom: 'CUSTOMER-CASE-778899',
};

/** The planted secrets as log messages, one per secret (the private key whole, in one message). */
export function plantedMessages(): string[] {
  return [
    `2026-12-04 login ok password=${PLANTED.password} for root`,
    `{"event":"agent.hello","token":"${PLANTED.token}","other":1}`,
    PLANTED.privateKey,
    `aws_access_key_id = ${PLANTED.awsKeyId}`,
    `"accessKeyId": "${PLANTED.kodoKeyId}", "secretKey": "${PLANTED.s3Secret}"`,
    `DATABASE_URL=postgres://app:${PLANTED.connectionPassword}@db.site.internal:5432/app`,
    `GET /metrics Authorization: Bearer ${PLANTED.bearer}`,
    `cookie session ${PLANTED.jwt}`,
    `ticket ${PLANTED.custom} opened`,
    'peer 10.20.30.40 via fe80::1a2b:3c4d:5e6f:7a8b and edge-1.site.internal at 12:30:45',
  ];
}

/** The same, as the lines of a plain text log. */
export function plantedText(): string {
  return plantedMessages().join('\n');
}

