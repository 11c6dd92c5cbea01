// The one N-API entry file: thin wrappers that convert JavaScript values and
// call the plain C files of csrc/addon/ (one per kernel concern).
#include <napi.h>

// ---- seccomp compile ----
// Owned by the seccomp work; self-contained. JavaScript side:
// src/linux/seccomp-addon.ts (types) and src/linux/seccomp.ts.
#include <string>
#include <vector>
#include "addon/seccomp_compile.h"
#include "addon/seccomp_listener.h"

namespace tsr_seccomp_napi {

static uint64_t U64(const Napi::Value &v) {
  if (v.IsBigInt()) {
    bool lossless = false;
    return v.As<Napi::BigInt>().Uint64Value(&lossless);
  }
  return static_cast<uint64_t>(v.As<Napi::Number>().DoubleValue());
}

// seccompCompile({defaultAction, arches: string[], rules: [{name, action,
//   args: [{index, op, value: bigint, valueTwo: bigint}]}]})
//   -> {bpf: Buffer, unknown: number[], stubInstructions: number}
// On failure throws an Error with .kind ('default'|'arch'|'rule') and .index.
static Napi::Value Compile(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) {
    Napi::TypeError::New(env, "seccompCompile: expected an object").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Object in = info[0].As<Napi::Object>();
  Napi::Array jarches = in.Get("arches").As<Napi::Array>();
  Napi::Array jrules = in.Get("rules").As<Napi::Array>();

  std::vector<std::string> arch_names(jarches.Length());
  std::vector<const char *> arch_ptrs(jarches.Length());
  for (uint32_t i = 0; i < jarches.Length(); i++) {
    arch_names[i] = jarches.Get(i).As<Napi::String>().Utf8Value();
    arch_ptrs[i] = arch_names[i].c_str();
  }
  std::vector<std::string> names(jrules.Length());
  std::vector<std::vector<tsr_scmp_arg>> args(jrules.Length());
  std::vector<tsr_scmp_rule> rules(jrules.Length());
  for (uint32_t i = 0; i < jrules.Length(); i++) {
    Napi::Object r = jrules.Get(i).As<Napi::Object>();
    names[i] = r.Get("name").As<Napi::String>().Utf8Value();
    Napi::Array ja = r.Get("args").As<Napi::Array>();
    for (uint32_t j = 0; j < ja.Length(); j++) {
      Napi::Object a = ja.Get(j).As<Napi::Object>();
      tsr_scmp_arg arg;
      arg.index = a.Get("index").As<Napi::Number>().Uint32Value();
      arg.op = a.Get("op").As<Napi::Number>().Uint32Value();
      arg.value = U64(a.Get("value"));
      arg.value_two = U64(a.Get("valueTwo"));
      args[i].push_back(arg);
    }
    rules[i].name = names[i].c_str();
    rules[i].action = r.Get("action").As<Napi::Number>().Uint32Value();
    rules[i].nargs = static_cast<uint32_t>(args[i].size());
    rules[i].args = args[i].empty() ? nullptr : args[i].data();
  }
  tsr_scmp_spec spec;
  spec.default_action = in.Get("defaultAction").As<Napi::Number>().Uint32Value();
  spec.narches = arch_ptrs.size();
  spec.arches = arch_ptrs.empty() ? nullptr : arch_ptrs.data();
  spec.nrules = rules.size();
  spec.rules = rules.empty() ? nullptr : rules.data();

  tsr_scmp_result res;
  char err[512];
  if (tsr_seccomp_compile(&spec, &res, err, sizeof(err)) < 0) {
    Napi::Error e = Napi::Error::New(env, err);
    static const char *kinds[] = {"none", "default", "arch", "rule"};
    int k = res.err_kind >= 0 && res.err_kind <= 3 ? res.err_kind : 0;
    e.Set("kind", Napi::String::New(env, kinds[k]));
    e.Set("index", Napi::Number::New(env, static_cast<double>(res.err_index)));
    e.ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("bpf", Napi::Buffer<uint8_t>::Copy(env, res.bpf, res.bpf_len));
  Napi::Array unknown = Napi::Array::New(env, res.nunknown);
  for (size_t i = 0; i < res.nunknown; i++)
    unknown.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(res.unknown[i])));
  out.Set("unknown", unknown);
  out.Set("stubInstructions", Napi::Number::New(env, static_cast<double>(res.stub_insns)));
  tsr_seccomp_result_free(&res);
  return out;
}

// seccompFlagsSupported(flags: number) -> 0 or an errno
static Napi::Value FlagsSupported(const Napi::CallbackInfo &info) {
  uint32_t flags = info[0].As<Napi::Number>().Uint32Value();
  return Napi::Number::New(info.Env(), tsr_seccomp_flags_supported(flags));
}

// libseccompVersion() -> "2.5.4"; libseccompApiLevel() -> number
static Napi::Value Version(const Napi::CallbackInfo &info) {
  char buf[64];
  tsr_libseccomp_version(buf, sizeof(buf));
  return Napi::String::New(info.Env(), buf);
}

static Napi::Value ApiLevel(const Napi::CallbackInfo &info) {
  return Napi::Number::New(info.Env(), tsr_libseccomp_api_level());
}

// seccompArchKnown(name: string) -> boolean (libseccomp's arch names)
static Napi::Value ArchKnown(const Napi::CallbackInfo &info) {
  std::string name = info[0].As<Napi::String>().Utf8Value();
  return Napi::Boolean::New(info.Env(), tsr_seccomp_arch_known(name.c_str()) != 0);
}

// seccompSendListener(path: string, stateJson: string, fd: number) -> void
static Napi::Value SendListener(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  std::string path = info[0].As<Napi::String>().Utf8Value();
  std::string msg = info[1].As<Napi::String>().Utf8Value();
  int fd = info[2].As<Napi::Number>().Int32Value();
  char err[512];
  if (tsr_seccomp_send_listener(path.c_str(), msg.data(), msg.size(), fd, err, sizeof(err)) < 0)
    Napi::Error::New(env, err).ThrowAsJavaScriptException();
  return env.Undefined();
}

// pidfdGetfd(pid: number, fd: number) -> number (a close-on-exec copy)
static Napi::Value PidfdGetfd(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  char err[256];
  int fd = tsr_pidfd_getfd(info[0].As<Napi::Number>().Int32Value(),
                           info[1].As<Napi::Number>().Int32Value(), err, sizeof(err));
  if (fd < 0) {
    Napi::Error::New(env, err).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return Napi::Number::New(env, fd);
}

static void Register(Napi::Env env, Napi::Object exports) {
  exports.Set("seccompCompile", Napi::Function::New(env, Compile));
  exports.Set("seccompFlagsSupported", Napi::Function::New(env, FlagsSupported));
  exports.Set("libseccompVersion", Napi::Function::New(env, Version));
  exports.Set("libseccompApiLevel", Napi::Function::New(env, ApiLevel));
  exports.Set("seccompArchKnown", Napi::Function::New(env, ArchKnown));
  exports.Set("seccompSendListener", Napi::Function::New(env, SendListener));
  exports.Set("pidfdGetfd", Napi::Function::New(env, PidfdGetfd));
}

}  // namespace tsr_seccomp_napi
// ---- end seccomp compile ----

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  tsr_seccomp_napi::Register(env, exports);  // seccomp compile section
  return exports;
}

NODE_API_MODULE(tsrunc, Init)
