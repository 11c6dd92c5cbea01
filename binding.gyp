{
  "targets": [
    {
      "target_name": "tsrunc",
      "sources": [
        "csrc/addon/addon.cc",
        "csrc/addon/netlink.c",
        "csrc/addon/spawn.c",
        "csrc/common/sync_io.c",
        "csrc/common/spawn_memfd.c",
        "csrc/addon/warm.c",
        "csrc/addon/proc.c",
        "csrc/addon/bpf_devices.c",
        "csrc/addon/seccomp_compile.c",
        "csrc/addon/seccomp_enosys.c",
        "csrc/addon/seccomp_listener.c"
      ],
      "libraries": [
        "-Wl,--exclude-libs,ALL",
        "-Wl,-Bstatic", "<!@(pkg-config --libs libseccomp)", "-Wl,-Bdynamic"
      ],
      "include_dirs": [
        "<!@(node -p \"require('node-addon-api').include\")",
        "csrc"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "_GNU_SOURCE"],
      "cflags": ["-Wall", "-Wextra", "-O2"],
      "cflags_c": ["-std=gnu11"],
      "cflags_cc": ["-Wall", "-Wextra", "-O2"]
    },
    {
      "target_name": "tsrunc-init",
      "type": "executable",
      "sources": [
        "csrc/init/main.c",
        "csrc/init/sync.c",
        "csrc/init/config.c",
        "csrc/init/namespaces.c",
        "csrc/init/cgroups.c",
        "csrc/init/rootfs.c",
        "csrc/init/mounts.c",
        "csrc/init/devices.c",
        "csrc/init/terminal.c",
        "csrc/init/hooks.c",
        "csrc/init/process.c",
        "csrc/init/seccomp.c"
      ],
      "include_dirs": ["csrc"],
      "defines": ["_GNU_SOURCE"],
      "cflags": ["-Wall", "-Wextra", "-O2", "-std=gnu11"],
      "ldflags": ["-static"]
    },
    {
      "target_name": "tsrunc-front",
      "type": "executable",
      "sources": [
        "csrc/front/main.c",
        "csrc/front/mode.c",
        "csrc/front/link.c",
        "csrc/front/rpc.c",
        "csrc/front/server.c",
        "csrc/common/sync_io.c",
        "csrc/common/spawn_memfd.c"
      ],
      "include_dirs": ["csrc"],
      "defines": ["_GNU_SOURCE"],
      "cflags": ["-Wall", "-Wextra", "-O2", "-std=gnu11"],
      "ldflags": ["-static"]
    }
  ]
}
