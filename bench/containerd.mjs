// Item 4: `ctr run --rm` of /bin/true under a private containerd (Debian's),
// each runtime given as --runc-binary. The image is the bench rootfs packed
// offline (umoci → OCI layout → skopeo → docker-archive); no registry needed.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, openSync, closeSync, rmSync, rmdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const IMAGE = 'localhost/tsrunc-bench/busybox:latest';

function packImage(rootfs, dir) {
  const layout = join(dir, 'oci');
  execFileSync('umoci', ['init', '--layout', layout]);
  execFileSync('umoci', ['new', '--image', `${layout}:bench`]);
  execFileSync('umoci', ['insert', '--image', `${layout}:bench`, rootfs, '/']);
  execFileSync('umoci', ['config', '--image', `${layout}:bench`, '--config.cmd', '/bin/true']);
  const tar = join(dir, 'image.tar');
  execFileSync('skopeo', ['copy', '--quiet', `oci:${layout}:bench`, `docker-archive:${tar}:${IMAGE}`]);
  return tar;
}

/** Starts containerd, runs `measure(ctrArgsPrefix)`, stops it and removes its dirs. */
export async function withContainerd(work, rootfs, measure) {
  const dir = join(work, 'containerd');
  const runDir = `/run/tsrunc-bench-${process.pid}`;
  mkdirSync(dir, { recursive: true });
  mkdirSync(runDir, { recursive: true });
  const sock = join(runDir, 'containerd.sock');
  const config = join(dir, 'config.toml');
  writeFileSync(
    config,
    [
      'version = 2',
      `root = ${JSON.stringify(join(dir, 'root'))}`,
      `state = ${JSON.stringify(join(runDir, 'state'))}`,
      'disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.internal.v1.tracing"]',
      '[grpc]',
      `  address = ${JSON.stringify(sock)}`,
      '[ttrpc]',
      `  address = ${JSON.stringify(sock + '.ttrpc')}`,
      '',
    ].join('\n'),
  );
  const log = openSync(join(dir, 'containerd.log'), 'a');
  const daemon = spawn('/usr/bin/setpriv', ['--pdeathsig', 'SIGKILL', '--', '/usr/bin/containerd', '--config', config], { stdio: ['ignore', log, log] });
  closeSync(log);
  const ns = `bench-${process.pid}`;
  const ctr = ['ctr', '-a', sock, '-n', ns];
  try {
    let up = false;
    for (let i = 0; i < 100 && !up; i++) {
      up = spawnSync('ctr', ['-a', sock, 'version'], { stdio: 'ignore' }).status === 0;
      if (!up) await new Promise((r) => setTimeout(r, 200));
    }
    if (!up) return { error: 'containerd did not come up' };
    const tar = packImage(rootfs, dir);
    execFileSync(ctr[0], [...ctr.slice(1), 'images', 'import', tar], { stdio: 'ignore' });
    return measure(ctr, IMAGE);
  } finally {
    // Containers were run with --rm; remove the image, then stop containerd (our child, by pid).
    spawnSync(ctr[0], [...ctr.slice(1), 'images', 'rm', IMAGE], { stdio: 'ignore' });
    daemon.kill('SIGTERM');
    await new Promise((r) => (daemon.exitCode !== null ? r() : daemon.once('exit', r)));
    rmSync(runDir, { recursive: true, force: true });
    spawnSync('umount', ['-R', join(dir, 'root')], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
    // containerd puts ctr's containers under /<namespace>/<id>; --rm removes
    // the container's cgroup but not the namespace's own (empty by now).
    for (const ctrl of readdirSync('/sys/fs/cgroup')) {
      try {
        rmdirSync(join('/sys/fs/cgroup', ctrl, ns));
      } catch {
        // not there (or a symlinked controller already handled)
      }
    }
  }
}
