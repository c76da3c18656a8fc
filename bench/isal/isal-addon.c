/* The "native addon" candidate for Kodo's erasure coding, measured by `npm run bench -- erasure`
 * against the WebAssembly kernel: Intel ISA-L's ec_encode_data (the fastest native code there is
 * for this, with pshufb/AVX2/AVX-512 kernels picked at run time) called from Node through N-API,
 * as a packaged addon would be. Bench only: the product does not use it (agents/services/kodo/erasure/README.md says why).
 * Build: cc -O2 -shared -fPIC -I<node>/include/node -o isal-addon.node isal-addon.c -lisal
 *
 *   initTables(k, rows, coefs: Uint8Array) → Uint8Array   ec_init_tables for a rows × k matrix
 *   encodeData(length, tables, inputs: Uint8Array[k], outputs: Uint8Array[rows])   ec_encode_data */
#include <isa-l/erasure_code.h>
#include <node_api.h>
#include <stdlib.h>

#define CHECK(call) do { if ((call) != napi_ok) { napi_throw_error(env, NULL, #call " failed"); return NULL; } } while (0)

static int get_bytes(napi_env env, napi_value v, unsigned char **data, size_t *len) {
  napi_typedarray_type type; napi_value ab; size_t off; void *p;
  if (napi_get_typedarray_info(env, v, &type, len, &p, &ab, &off) != napi_ok || type != napi_uint8_array) return 0;
  *data = p; return 1;
}

static napi_value init_tables(napi_env env, napi_callback_info info) {
  size_t argc = 3; napi_value argv[3]; int32_t k, rows; unsigned char *coefs, *tables; size_t len; napi_value ab, out;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  CHECK(napi_get_value_int32(env, argv[0], &k));
  CHECK(napi_get_value_int32(env, argv[1], &rows));
  if (!get_bytes(env, argv[2], &coefs, &len) || len != (size_t)k * rows) { napi_throw_type_error(env, NULL, "coefs: Uint8Array of rows*k"); return NULL; }
  CHECK(napi_create_arraybuffer(env, 32 * k * rows, (void **)&tables, &ab));
  ec_init_tables(k, rows, coefs, tables);
  CHECK(napi_create_typedarray(env, napi_uint8_array, 32 * k * rows, ab, 0, &out));
  return out;
}

static int get_array(napi_env env, napi_value arr, unsigned char **ptrs, uint32_t max, uint32_t *count, size_t need) {
  if (napi_get_array_length(env, arr, count) != napi_ok || *count > max) return 0;
  for (uint32_t i = 0; i < *count; i++) {
    napi_value el; size_t len;
    if (napi_get_element(env, arr, i, &el) != napi_ok || !get_bytes(env, el, &ptrs[i], &len) || len < need) return 0;
  }
  return 1;
}

static napi_value encode_data(napi_env env, napi_callback_info info) {
  size_t argc = 4; napi_value argv[4]; int64_t len; unsigned char *tables, *in[255], *out[255]; size_t tlen; uint32_t k, rows;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  CHECK(napi_get_value_int64(env, argv[0], &len));
  if (!get_bytes(env, argv[1], &tables, &tlen) || !get_array(env, argv[2], in, 255, &k, len) || !get_array(env, argv[3], out, 255, &rows, len) || tlen != 32 * (size_t)k * rows) {
    napi_throw_type_error(env, NULL, "encodeData(length, tables, inputs, outputs): bad arguments"); return NULL;
  }
  ec_encode_data((int)len, k, rows, tables, in, out);
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "initTables", NAPI_AUTO_LENGTH, init_tables, NULL, &fn);
  napi_set_named_property(env, exports, "initTables", fn);
  napi_create_function(env, "encodeData", NAPI_AUTO_LENGTH, encode_data, NULL, &fn);
  napi_set_named_property(env, exports, "encodeData", fn);
  return exports;
}
