/* Intel ISA-L's Reed–Solomon on one core: the reference `npm run bench -- erasure` compares Kodo's
 * erasure kernel with (bench/erasure.bench.ts), and the oracle of tests/integration/erasure-isal.test.ts.
 * Adapted from the workplace's reference setup (shared/anchors/isal-ec-bench.c): the same
 * measurement, plus an `encode` mode and interleaved rounds. Build: cc -O2 -o isal-ec-bench isal-ec-bench.c -lisal
 *
 *   isal-ec-bench bench K M SHARD_BYTES SECONDS
 *     JSON: encode and decode (rebuild of the first 2 data shards from K survivors) throughput in
 *     MB/s of data, each timed for SECONDS.
 *   isal-ec-bench encode K M SHARD_BYTES
 *     reads K shards (K·SHARD_BYTES bytes) on stdin, writes the M parity shards ec_encode_data
 *     makes with gf_gen_cauchy1_matrix to stdout. */
#include <isa-l/erasure_code.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOST 2

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

static int encode_stdin(int k, int m, size_t len) {
  int n = k + m;
  unsigned char *frags[255], *enc = malloc(n * k), *tbls = malloc(32 * k * m);
  for (int i = 0; i < n; i++) frags[i] = aligned_alloc(64, len ? (len + 63) / 64 * 64 : 64);
  for (int i = 0; i < k; i++) if (len && fread(frags[i], 1, len, stdin) != len) { fprintf(stderr, "short input\n"); return 1; }
  gf_gen_cauchy1_matrix(enc, n, k);
  ec_init_tables(k, m, &enc[k * k], tbls);
  ec_encode_data(len, k, m, tbls, frags, &frags[k]);
  for (int i = k; i < n; i++) if (len && fwrite(frags[i], 1, len, stdout) != len) return 1;
  return 0;
}

static int bench(int k, int m, size_t len, double secs) {
  int n = k + m;
  unsigned char *frags[255], *enc = malloc(n * k), *tbls = malloc(32 * k * m);
  for (int i = 0; i < n; i++) { frags[i] = aligned_alloc(64, len); for (size_t j = 0; j < len; j++) frags[i][j] = rand(); }
  gf_gen_cauchy1_matrix(enc, n, k);
  ec_init_tables(k, m, &enc[k * k], tbls);
  long iters = 0; double t0 = now(), t;
  do { ec_encode_data(len, k, m, tbls, frags, &frags[k]); iters++; } while ((t = now()) - t0 < secs);
  double enc_mbs = iters * (double)k * len / (t - t0) / 1e6;
  /* decode: lose the first LOST data shards, rebuild them from the first k survivors */
  unsigned char *b = malloc(k * k), *inv = malloc(k * k), *dec = malloc(LOST * k), *dtbls = malloc(32 * k * LOST), *src[255], *out[255];
  int r = 0; for (int i = LOST; i < n && r < k; i++) { memcpy(&b[k * r], &enc[k * i], k); src[r++] = frags[i]; }
  if (gf_invert_matrix(b, inv, k) < 0) { fprintf(stderr, "singular\n"); return 1; }
  for (int i = 0; i < LOST; i++) { memcpy(&dec[k * i], &inv[k * i], k); out[i] = aligned_alloc(64, len); }
  ec_init_tables(k, LOST, dec, dtbls);
  iters = 0; t0 = now();
  do { ec_encode_data(len, k, LOST, dtbls, src, out); iters++; } while ((t = now()) - t0 < secs);
  double dec_mbs = iters * (double)k * len / (t - t0) / 1e6;
  for (int i = 0; i < LOST; i++) if (memcmp(out[i], frags[i], len)) { fprintf(stderr, "rebuild mismatch\n"); return 1; }
  printf("{\"k\":%d,\"m\":%d,\"shard\":%zu,\"encode_MBps\":%.0f,\"decode_MBps\":%.0f}\n", k, m, len, enc_mbs, dec_mbs);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 6 && !strcmp(argv[1], "bench")) {
    int k = atoi(argv[2]), m = atoi(argv[3]);
    if (k < 1 || m < LOST || k + m > 255) { fprintf(stderr, "bad layout\n"); return 2; }
    return bench(k, m, strtoul(argv[4], 0, 10), atof(argv[5]));
  }
  if (argc == 5 && !strcmp(argv[1], "encode")) {
    int k = atoi(argv[2]), m = atoi(argv[3]);
    if (k < 1 || m < 1 || k + m > 255) { fprintf(stderr, "bad layout\n"); return 2; }
    return encode_stdin(k, m, strtoul(argv[4], 0, 10));
  }
  fprintf(stderr, "usage: %s bench K M SHARD_BYTES SECONDS | encode K M SHARD_BYTES < data > parity\n", argv[0]);
  return 2;
}
