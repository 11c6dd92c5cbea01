// The one N-API entry file: thin wrappers that convert JavaScript values and
// call the plain C files of csrc/addon/ (one per kernel concern).
#include <napi.h>


// ---- cgroup device BPF ----
// bpfDevicesApply(cgroupDir: string, insns: Buffer): void
// bpfDevicesQuery(cgroupDir: string): number[]  (attached program ids)
#include "bpf_devices.h"
#include <cerrno>
#include <cstring>

namespace cgroup_device_bpf {

static Napi::Value Apply(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsBuffer()) {
    Napi::TypeError::New(env, "bpfDevicesApply(cgroupDir: string, insns: Buffer)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::string dir = info[0].As<Napi::String>().Utf8Value();
  Napi::Buffer<uint8_t> insns = info[1].As<Napi::Buffer<uint8_t>>();
  if (insns.Length() == 0 || insns.Length() % 8 != 0) {
    Napi::TypeError::New(env, "bpfDevicesApply: insns must be a non-empty multiple of 8 bytes").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  char err[1024] = "";
  int rc = tsr_bpf_devices_apply(dir.c_str(), insns.Data(), insns.Length() / 8, err, sizeof(err));
  if (rc < 0) {
    Napi::Error e = Napi::Error::New(env, err);
    e.Set("errno", Napi::Number::New(env, -rc));
    e.ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

static Napi::Value Query(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    Napi::TypeError::New(env, "bpfDevicesQuery(cgroupDir: string)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::string dir = info[0].As<Napi::String>().Utf8Value();
  uint32_t ids[256];
  uint32_t count = 256;
  int rc = tsr_bpf_devices_query(dir.c_str(), ids, &count);
  if (rc < 0) {
    Napi::Error e = Napi::Error::New(env, "bpf(BPF_PROG_QUERY) on " + dir + ": " + strerror(-rc));
    e.Set("errno", Napi::Number::New(env, -rc));
    e.ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Array out = Napi::Array::New(env, count);
  for (uint32_t i = 0; i < count && i < 256; i++) out.Set(i, Napi::Number::New(env, ids[i]));
  return out;
}

static void Register(Napi::Env env, Napi::Object exports) {
  exports.Set("bpfDevicesApply", Napi::Function::New(env, Apply, "bpfDevicesApply"));
  exports.Set("bpfDevicesQuery", Napi::Function::New(env, Query, "bpfDevicesQuery"));
}

}  // namespace cgroup_device_bpf
// ---- end cgroup device BPF ----

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  cgroup_device_bpf::Register(env, exports);
  return exports;
}

NODE_API_MODULE(tsrunc, Init)
