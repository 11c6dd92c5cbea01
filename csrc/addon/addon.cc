// The one N-API entry file: thin wrappers that convert JavaScript values and
// call the plain C files of csrc/addon/ (one per kernel concern). Errors
// become JavaScript Errors "what: strerror" with `code` (e.g. 'ENOENT') and
// `errno` set. Other concerns (seccomp compiler, device cgroup BPF) add their
// own delimited sections below and one line each in Init().
#include <napi.h>

#include <dlfcn.h>
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "tsr_addon.h"

namespace {

// ---- shared helpers ---------------------------------------------------------

Napi::Value ThrowErrno(Napi::Env env, const std::string &what, int err) {
  Napi::Error e = Napi::Error::New(env, what + ": " + strerror(err));
  const char *name = strerrorname_np(err);
  e.Set("code", Napi::String::New(env, name ? name : "EUNKNOWN"));
  e.Set("errno", Napi::Number::New(env, err));
  e.ThrowAsJavaScriptException();
  return env.Undefined();
}

Napi::Value ThrowType(Napi::Env env, const char *msg) {
  Napi::TypeError::New(env, msg).ThrowAsJavaScriptException();
  return env.Undefined();
}

bool IntArg(const Napi::CallbackInfo &info, size_t i, int *out) {
  if (info.Length() <= i || !info[i].IsNumber()) return false;
  *out = info[i].As<Napi::Number>().Int32Value();
  return true;
}

bool StrArg(const Napi::CallbackInfo &info, size_t i, std::string *out) {
  if (info.Length() <= i || !info[i].IsString()) return false;
  *out = info[i].As<Napi::String>().Utf8Value();
  return true;
}

// build/Release/tsrunc-init next to this very .node file.
std::string HelperPath() {
  Dl_info dl;
  if (!dladdr(reinterpret_cast<void *>(&HelperPath), &dl) || !dl.dli_fname) return "tsrunc-init";
  std::string self(dl.dli_fname);
  size_t slash = self.rfind('/');
  return (slash == std::string::npos ? std::string(".") : self.substr(0, slash)) + "/tsrunc-init";
}

Napi::Object WaitObject(Napi::Env env, const tsr_wait &w) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("pid", w.pid);
  o.Set("exitCode", w.exited ? Napi::Value(Napi::Number::New(env, w.code)) : env.Null());
  o.Set("signal", w.signal >= 0 ? Napi::Value(Napi::Number::New(env, w.signal)) : env.Null());
  return o;
}

// ---- sockets and sync I/O ---------------------------------------------------

Napi::Value SocketPair(const Napi::CallbackInfo &info) {
  int sv[2];
  if (tsr_socketpair(sv) < 0) return ThrowErrno(info.Env(), "socketpair", errno);
  Napi::Array a = Napi::Array::New(info.Env(), 2);
  a.Set(0u, sv[0]);
  a.Set(1u, sv[1]);
  return a;
}

Napi::Value SendMessage(const Napi::CallbackInfo &info) {
  int fd, type;
  if (!IntArg(info, 0, &fd) || !IntArg(info, 1, &type) || info.Length() < 3 || !info[2].IsBuffer())
    return ThrowType(info.Env(), "sendMessage(fd, type, payload: Buffer)");
  Napi::Buffer<char> buf = info[2].As<Napi::Buffer<char>>();
  if (tsr_send_message(fd, (uint32_t)type, buf.Data(), (uint32_t)buf.Length()) < 0)
    return ThrowErrno(info.Env(), "sending message " + std::to_string(type) + " on fd " + std::to_string(fd), errno);
  return info.Env().Undefined();
}

Napi::Object MessageObject(Napi::Env env, uint32_t type, char *payload, uint32_t len, int rfd);

Napi::Value RecvMessage(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int fd, timeout;
  if (!IntArg(info, 0, &fd) || !IntArg(info, 1, &timeout)) return ThrowType(env, "recvMessage(fd, timeoutMs)");
  uint32_t type = 0, len = 0;
  char *payload = nullptr;
  int rfd = -1;
  int r = tsr_recv_message(fd, timeout, &type, &payload, &len, &rfd);
  if (r == 1) return env.Null();
  if (r < 0) {
    if (errno == ETIMEDOUT)
      return ThrowErrno(env, "timeout after " + std::to_string(timeout) + " ms waiting for the init helper", errno);
    return ThrowErrno(env, "receiving a message on fd " + std::to_string(fd), errno);
  }
  Napi::Object msg = MessageObject(env, type, payload, len, rfd);
  free(payload);
  return msg;
}

Napi::Value SendMessageFd(const Napi::CallbackInfo &info) {
  int fd, type, pass;
  if (!IntArg(info, 0, &fd) || !IntArg(info, 1, &type) || info.Length() < 3 || !info[2].IsBuffer() || !IntArg(info, 3, &pass))
    return ThrowType(info.Env(), "sendMessageFd(fd, type, payload: Buffer, passFd)");
  Napi::Buffer<char> buf = info[2].As<Napi::Buffer<char>>();
  if (tsr_send_message_fd(fd, (uint32_t)type, buf.Data(), (uint32_t)buf.Length(), pass) < 0)
    return ThrowErrno(info.Env(), "sending message " + std::to_string(type) + " on fd " + std::to_string(fd), errno);
  return info.Env().Undefined();
}

Napi::Object MessageObject(Napi::Env env, uint32_t type, char *payload, uint32_t len, int rfd) {
  Napi::Object msg = Napi::Object::New(env);
  msg.Set("type", type);
  msg.Set("payload", Napi::Buffer<char>::Copy(env, payload, len));
  if (rfd >= 0) msg.Set("fd", rfd);
  return msg;
}

/* One message read on a worker thread: the warm worker's event loop keeps
   running (a terminal it wires) while the front waits for the container. */
class RecvWorker : public Napi::AsyncWorker {
 public:
  RecvWorker(Napi::Env env, int fd) : Napi::AsyncWorker(env), fd_(fd), deferred_(env) {}
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override {
    r_ = tsr_recv_message(fd_, -1, &type_, &payload_, &len_, &rfd_);
    if (r_ < 0) err_ = errno;
  }
  void OnOK() override {
    Napi::Env env = Env();
    if (r_ < 0) {
      Napi::Error e = Napi::Error::New(env, "receiving a message on fd " + std::to_string(fd_) + ": " + strerror(err_));
      deferred_.Reject(e.Value());
    } else if (r_ == 1) {
      deferred_.Resolve(env.Null());
    } else {
      deferred_.Resolve(MessageObject(env, type_, payload_, len_, rfd_));
    }
    free(payload_);
  }

 private:
  int fd_, r_ = 0, err_ = 0, rfd_ = -1;
  uint32_t type_ = 0, len_ = 0;
  char *payload_ = nullptr;
  Napi::Promise::Deferred deferred_;
};

Napi::Value RecvMessageAsync(const Napi::CallbackInfo &info) {
  int fd;
  if (!IntArg(info, 0, &fd)) return ThrowType(info.Env(), "recvMessageAsync(fd)");
  RecvWorker *w = new RecvWorker(info.Env(), fd);
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

Napi::Value Dup2(const Napi::CallbackInfo &info) {
  int from, to;
  if (!IntArg(info, 0, &from) || !IntArg(info, 1, &to)) return ThrowType(info.Env(), "dup2(fd, target)");
  if (tsr_dup2(from, to) < 0) return ThrowErrno(info.Env(), "dup2 " + std::to_string(from) + " to " + std::to_string(to), errno);
  return info.Env().Undefined();
}

Napi::Value PeerCred(const Napi::CallbackInfo &info) {
  int fd;
  if (!IntArg(info, 0, &fd)) return ThrowType(info.Env(), "peerCred(fd)");
  pid_t pid;
  uid_t uid;
  gid_t gid;
  if (tsr_peer_cred(fd, &pid, &uid, &gid) < 0) return ThrowErrno(info.Env(), "SO_PEERCRED", errno);
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("pid", (double)pid);
  o.Set("uid", (double)uid);
  o.Set("gid", (double)gid);
  return o;
}

Napi::Value HelperMemfd(const Napi::CallbackInfo &info) {
  std::string helper = HelperPath();
  int fd = tsr_helper_memfd(helper.c_str());
  if (fd < 0) return ThrowErrno(info.Env(), "making the sealed copy of " + helper, errno);
  return Napi::Number::New(info.Env(), fd);
}

Napi::Value RecvFd(const Napi::CallbackInfo &info) {
  int fd, timeout;
  if (!IntArg(info, 0, &fd) || !IntArg(info, 1, &timeout)) return ThrowType(info.Env(), "recvFd(fd, timeoutMs)");
  int r = tsr_recv_fd(fd, timeout);
  if (r < 0) return ThrowErrno(info.Env(), errno == ETIMEDOUT ? "timeout waiting for an fd" : "receiving an fd", errno);
  return Napi::Number::New(info.Env(), r);
}

Napi::Value UnixConnect(const Napi::CallbackInfo &info) {
  std::string path;
  if (!StrArg(info, 0, &path)) return ThrowType(info.Env(), "unixConnect(path)");
  int fd = tsr_unix_connect(path.c_str());
  if (fd < 0) return ThrowErrno(info.Env(), "connecting to " + path, errno);
  return Napi::Number::New(info.Env(), fd);
}

Napi::Value UnixListen(const Napi::CallbackInfo &info) {
  std::string path;
  if (!StrArg(info, 0, &path)) return ThrowType(info.Env(), "unixListen(path)");
  int fd = tsr_unix_listen(path.c_str());
  if (fd < 0) return ThrowErrno(info.Env(), "listening on " + path, errno);
  return Napi::Number::New(info.Env(), fd);
}

Napi::Value Accept(const Napi::CallbackInfo &info) {
  int fd, timeout;
  if (!IntArg(info, 0, &fd) || !IntArg(info, 1, &timeout)) return ThrowType(info.Env(), "accept(fd, timeoutMs)");
  int c = tsr_accept(fd, timeout);
  if (c < 0) return ThrowErrno(info.Env(), errno == ETIMEDOUT ? "timeout waiting for a connection" : "accept", errno);
  return Napi::Number::New(info.Env(), c);
}

// ---- network devices (linux.netDevices) --------------------------------------

Napi::Value MoveNetDevice(const Napi::CallbackInfo &info) {
  std::string name, newName;
  int pid;
  if (!StrArg(info, 0, &name) || !IntArg(info, 1, &pid) || (info.Length() > 2 && !info[2].IsUndefined() && !StrArg(info, 2, &newName)))
    return ThrowType(info.Env(), "moveNetDevice(name, pid, newName?)");
  if (tsr_move_net_device(name.c_str(), pid, newName.empty() ? nullptr : newName.c_str()) < 0)
    return ThrowErrno(info.Env(), "moving network device " + name + " into the namespace of pid " + std::to_string(pid), errno);
  return info.Env().Undefined();
}

// ---- the init helper ----------------------------------------------------------

Napi::Value SpawnHelper(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsArray() || !info[1].IsArray())
    return ThrowType(env, "spawnHelper(childFds: number[], argv: string[])");
  Napi::Array jfds = info[0].As<Napi::Array>(), jargv = info[1].As<Napi::Array>();
  std::vector<int> fds;
  for (uint32_t i = 0; i < jfds.Length(); i++) {
    Napi::Value v = jfds.Get(i);
    if (!v.IsNumber()) return ThrowType(env, "spawnHelper: childFds must be numbers");
    fds.push_back(v.As<Napi::Number>().Int32Value());
  }
  std::vector<std::string> args;
  for (uint32_t i = 0; i < jargv.Length(); i++) {
    Napi::Value v = jargv.Get(i);
    if (!v.IsString()) return ThrowType(env, "spawnHelper: argv must be strings");
    args.push_back(v.As<Napi::String>().Utf8Value());
  }
  std::vector<char *> argv;
  for (auto &a : args) argv.push_back(const_cast<char *>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid;
  std::string helper = HelperPath();
  if (tsr_spawn_helper(helper.c_str(), fds.data(), (int)fds.size(), argv.data(), &pid) < 0)
    return ThrowErrno(env, "starting the init helper " + helper, errno);
  return Napi::Number::New(env, pid);
}

Napi::Value GetHelperPath(const Napi::CallbackInfo &info) {
  return Napi::String::New(info.Env(), HelperPath());
}

// ---- processes, files --------------------------------------------------------

Napi::Value WaitPid(const Napi::CallbackInfo &info) {
  int pid;
  if (!IntArg(info, 0, &pid) || info.Length() < 2 || !info[1].IsBoolean())
    return ThrowType(info.Env(), "waitpid(pid, noHang)");
  tsr_wait w;
  int r = tsr_waitpid(pid, info[1].As<Napi::Boolean>().Value(), &w);
  if (r < 0) return ThrowErrno(info.Env(), "waitpid " + std::to_string(pid), errno);
  if (r == 1) return info.Env().Null();
  return WaitObject(info.Env(), w);
}

class WaitWorker : public Napi::AsyncWorker {
 public:
  WaitWorker(Napi::Env env, pid_t pid) : Napi::AsyncWorker(env), pid_(pid), deferred_(env) {}
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override {
    if (tsr_waitpid(pid_, 0, &w_) < 0) err_ = errno;
  }
  void OnOK() override {
    Napi::Env env = Env();
    if (err_) {
      Napi::Error e = Napi::Error::New(env, "waitpid " + std::to_string(pid_) + ": " + strerror(err_));
      const char *name = strerrorname_np(err_);
      e.Set("code", Napi::String::New(env, name ? name : "EUNKNOWN"));
      deferred_.Reject(e.Value());
      return;
    }
    deferred_.Resolve(WaitObject(env, w_));
  }

 private:
  pid_t pid_;
  tsr_wait w_{};
  int err_ = 0;
  Napi::Promise::Deferred deferred_;
};

Napi::Value WaitPidAsync(const Napi::CallbackInfo &info) {
  int pid;
  if (!IntArg(info, 0, &pid)) return ThrowType(info.Env(), "waitpidAsync(pid)");
  WaitWorker *w = new WaitWorker(info.Env(), pid);
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

Napi::Value SetChildSubreaper(const Napi::CallbackInfo &info) {
  if (tsr_set_child_subreaper() < 0) return ThrowErrno(info.Env(), "PR_SET_CHILD_SUBREAPER", errno);
  return info.Env().Undefined();
}

Napi::Value SetWinsize(const Napi::CallbackInfo &info) {
  int fd, rows, cols;
  if (!IntArg(info, 0, &fd) || !IntArg(info, 1, &rows) || !IntArg(info, 2, &cols))
    return ThrowType(info.Env(), "setWinsize(fd, rows, cols)");
  if (tsr_set_winsize(fd, (unsigned)rows, (unsigned)cols) < 0) return ThrowErrno(info.Env(), "TIOCSWINSZ", errno);
  return info.Env().Undefined();
}

Napi::Value OpenPath(const Napi::CallbackInfo &info) {
  std::string path;
  if (!StrArg(info, 0, &path)) return ThrowType(info.Env(), "openPath(path)");
  int fd = tsr_open_path(path.c_str());
  if (fd < 0) return ThrowErrno(info.Env(), "opening " + path, errno);
  return Napi::Number::New(info.Env(), fd);
}

Napi::Value Close(const Napi::CallbackInfo &info) {
  int fd;
  if (!IntArg(info, 0, &fd)) return ThrowType(info.Env(), "close(fd)");
  if (close(fd) < 0 && errno != EINTR) return ThrowErrno(info.Env(), "close " + std::to_string(fd), errno);
  return info.Env().Undefined();
}

Napi::Value MkFifo(const Napi::CallbackInfo &info) {
  std::string path;
  int mode;
  if (!StrArg(info, 0, &path) || !IntArg(info, 1, &mode)) return ThrowType(info.Env(), "mkfifo(path, mode)");
  if (tsr_mkfifo(path.c_str(), (unsigned)mode) < 0) return ThrowErrno(info.Env(), "mkfifo " + path, errno);
  return info.Env().Undefined();
}

Napi::Value FifoRelease(const Napi::CallbackInfo &info) {
  std::string path;
  int timeout;
  if (!StrArg(info, 0, &path) || !IntArg(info, 1, &timeout)) return ThrowType(info.Env(), "fifoRelease(path, timeoutMs)");
  int r = tsr_fifo_release(path.c_str(), timeout, nullptr, 0);
  if (r < 0) return ThrowErrno(info.Env(), "exec fifo " + path, errno);
  return Napi::Boolean::New(info.Env(), r == 1);
}

// fifoStart(path, timeoutMs): null if never released, else the helper's
// start-time error text ('' when the process was exec'd).
Napi::Value FifoStart(const Napi::CallbackInfo &info) {
  std::string path;
  int timeout;
  if (!StrArg(info, 0, &path) || !IntArg(info, 1, &timeout)) return ThrowType(info.Env(), "fifoStart(path, timeoutMs)");
  char report[2048];
  int r = tsr_fifo_release(path.c_str(), timeout, report, sizeof report);
  if (r < 0) return ThrowErrno(info.Env(), "exec fifo " + path, errno);
  if (r == 0) return info.Env().Null();
  return Napi::String::New(info.Env(), report);
}

Napi::Value WriteProcFile(const Napi::CallbackInfo &info) {
  int pid;
  std::string name;
  if (!IntArg(info, 0, &pid) || !StrArg(info, 1, &name) || info.Length() < 3 || !info[2].IsString())
    return ThrowType(info.Env(), "writeProcFile(pid, name, data)");
  std::string data = info[2].As<Napi::String>().Utf8Value();
  if (tsr_write_proc_file(pid, name.c_str(), data.data(), data.size()) < 0)
    return ThrowErrno(info.Env(), "writing /proc/" + std::to_string(pid) + "/" + name, errno);
  return info.Env().Undefined();
}

}  // namespace

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
  // sockets and sync I/O
  exports.Set("socketpair", Napi::Function::New(env, SocketPair));
  exports.Set("sendMessage", Napi::Function::New(env, SendMessage));
  exports.Set("recvMessage", Napi::Function::New(env, RecvMessage));
  exports.Set("sendMessageFd", Napi::Function::New(env, SendMessageFd));
  exports.Set("recvMessageAsync", Napi::Function::New(env, RecvMessageAsync));
  exports.Set("dup2", Napi::Function::New(env, Dup2));
  exports.Set("peerCred", Napi::Function::New(env, PeerCred));
  exports.Set("helperMemfd", Napi::Function::New(env, HelperMemfd));
  exports.Set("recvFd", Napi::Function::New(env, RecvFd));
  exports.Set("unixConnect", Napi::Function::New(env, UnixConnect));
  exports.Set("unixListen", Napi::Function::New(env, UnixListen));
  exports.Set("accept", Napi::Function::New(env, Accept));
  // network devices
  exports.Set("moveNetDevice", Napi::Function::New(env, MoveNetDevice));
  // the init helper
  exports.Set("spawnHelper", Napi::Function::New(env, SpawnHelper));
  exports.Set("helperPath", Napi::Function::New(env, GetHelperPath));
  // processes, files
  exports.Set("waitpid", Napi::Function::New(env, WaitPid));
  exports.Set("waitpidAsync", Napi::Function::New(env, WaitPidAsync));
  exports.Set("setChildSubreaper", Napi::Function::New(env, SetChildSubreaper));
  exports.Set("setWinsize", Napi::Function::New(env, SetWinsize));
  exports.Set("openPath", Napi::Function::New(env, OpenPath));
  exports.Set("close", Napi::Function::New(env, Close));
  exports.Set("mkfifo", Napi::Function::New(env, MkFifo));
  exports.Set("fifoRelease", Napi::Function::New(env, FifoRelease));
  exports.Set("fifoStart", Napi::Function::New(env, FifoStart));
  exports.Set("writeProcFile", Napi::Function::New(env, WriteProcFile));
  cgroup_device_bpf::Register(env, exports);
  tsr_seccomp_napi::Register(env, exports);
  return exports;
}

NODE_API_MODULE(tsrunc, Init)
