// The one N-API entry file: thin wrappers that convert JavaScript values and
// call the plain C files of csrc/addon/ (one per kernel concern).
#include <napi.h>

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  return exports;
}

NODE_API_MODULE(tsrunc, Init)
