// A small CRI client (gRPC over containerd's socket) driven by the hand-written
// cri-subset.proto, with a deadline on every call.
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ENGINE_DIR } from './env.js';
import { Breaker } from './exec.js';

const PROTO = join(ENGINE_DIR, 'lib', 'cri-subset.proto');

export type ContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';

export interface VersionResponse {
  version: string;
  runtime_name: string;
  runtime_version: string;
  runtime_api_version: string;
}
export interface PodSandboxStatusResponse {
  status: { id: string; state: 'SANDBOX_READY' | 'SANDBOX_NOTREADY'; runtime_handler: string } | null;
  info: Record<string, string>;
}
export interface ContainerStatusResponse {
  status: {
    id: string;
    state: ContainerState;
    exit_code: number;
    reason: string;
    message: string;
    log_path: string;
  } | null;
  info: Record<string, string>;
}
export interface ExecSyncResponse {
  stdout: Buffer;
  stderr: Buffer;
  exit_code: number;
}
export interface ContainerStatsResponse {
  stats: {
    cpu: { usage_core_nano_seconds: { value: string } | null } | null;
    memory: { working_set_bytes: { value: string } | null; usage_bytes: { value: string } | null } | null;
  } | null;
}
export interface ListContainersResponse {
  containers: { id: string; pod_sandbox_id: string; state: ContainerState; metadata: { name: string } | null }[];
}
export interface ListPodSandboxResponse {
  items: { id: string; runtime_handler: string }[];
}
export interface ImageStatusResponse {
  image: { id: string; repo_tags: string[] } | null;
}

/** Just enough of a pod sandbox config for these tests (proto field names). */
export interface PodSandboxConfig {
  metadata: { name: string; uid: string; namespace: string; attempt?: number };
  hostname?: string;
  log_directory: string;
  linux: {
    cgroup_parent: string;
    security_context: { namespace_options: { network: 'POD' | 'NODE'; pid: 'POD' | 'CONTAINER' | 'NODE'; ipc: 'POD' | 'NODE' } };
  };
}

export interface ContainerConfig {
  metadata: { name: string; attempt?: number };
  image: { image: string };
  command?: string[];
  args?: string[];
  working_dir?: string;
  envs?: { key: string; value: string }[];
  log_path: string;
  tty?: boolean;
  linux?: {
    resources?: { memory_limit_in_bytes?: number };
    security_context?: {
      namespace_options?: { network?: 'POD' | 'NODE'; pid?: 'POD' | 'CONTAINER' | 'NODE'; ipc?: 'POD' | 'NODE' };
      run_as_user?: { value: number };
      run_as_group?: { value: number };
      readonly_rootfs?: boolean;
    };
  };
}

type Methods = Record<string, protoLoader.MethodDefinition<object, object>>;

function service(def: protoLoader.PackageDefinition, name: string): Methods {
  const svc = def[name];
  if (svc === undefined || 'format' in svc) throw new Error(`${PROTO} has no service ${name}`);
  return svc as Methods;
}

export class CriClient {
  private readonly client: grpc.Client;
  private readonly runtime: Methods;
  private readonly images: Methods;
  /** Trips on the first call past its deadline (see Breaker); reset before cleanup. */
  readonly breaker: Breaker = {};

  /** `context` adds daemon details (e.g. its log tail) to every error. */
  constructor(
    readonly socket: string,
    private readonly context: () => string = () => '',
  ) {
    const def = protoLoader.loadSync(PROTO, { keepCase: true, longs: String, enums: String, defaults: true });
    this.runtime = service(def, 'runtime.v1.RuntimeService');
    this.images = service(def, 'runtime.v1.ImageService');
    this.client = new grpc.Client(`unix://${socket}`, grpc.credentials.createInsecure());
  }

  close(): void {
    this.client.close();
  }

  private call<T>(svc: Methods, method: string, request: object, timeoutMs: number): Promise<T> {
    const m = svc[method];
    if (m === undefined) return Promise.reject(new Error(`CRI method ${method} not in ${PROTO}`));
    if (this.breaker.tripped !== undefined) {
      return Promise.reject(new Error(`CRI ${method} not run: an earlier call timed out: ${this.breaker.tripped}`));
    }
    const deadline = new Date(Date.now() + timeoutMs);
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        m.path,
        m.requestSerialize,
        m.responseDeserialize,
        request,
        new grpc.Metadata(),
        { deadline },
        (err, value) => {
          if (err) {
            const timedOut = err.code === grpc.status.DEADLINE_EXCEEDED;
            const what = timedOut ? `timed out after ${timeoutMs} ms` : err.details || err.message;
            if (timedOut) this.breaker.tripped = `${method} (after ${timeoutMs} ms)`;
            const extra = this.context();
            reject(new Error(`CRI ${method} on ${this.socket}: ${what}${extra ? `\n${extra}` : ''}`));
          } else {
            resolve(value as T);
          }
        },
      );
    });
  }

  version(): Promise<VersionResponse> {
    return this.call(this.runtime, 'Version', { version: 'v1' }, 10_000);
  }
  imageStatus(image: string): Promise<ImageStatusResponse> {
    return this.call(this.images, 'ImageStatus', { image: { image } }, 10_000);
  }
  async runPodSandbox(config: PodSandboxConfig, runtimeHandler: string): Promise<string> {
    const r = await this.call<{ pod_sandbox_id: string }>(this.runtime, 'RunPodSandbox', { config, runtime_handler: runtimeHandler }, 60_000);
    return r.pod_sandbox_id;
  }
  podSandboxStatus(id: string): Promise<PodSandboxStatusResponse> {
    return this.call(this.runtime, 'PodSandboxStatus', { pod_sandbox_id: id }, 10_000);
  }
  listPodSandbox(): Promise<ListPodSandboxResponse> {
    return this.call(this.runtime, 'ListPodSandbox', {}, 10_000);
  }
  async stopPodSandbox(id: string): Promise<void> {
    await this.call(this.runtime, 'StopPodSandbox', { pod_sandbox_id: id }, 60_000);
  }
  async removePodSandbox(id: string): Promise<void> {
    await this.call(this.runtime, 'RemovePodSandbox', { pod_sandbox_id: id }, 60_000);
  }
  async createContainer(podId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    const r = await this.call<{ container_id: string }>(
      this.runtime,
      'CreateContainer',
      { pod_sandbox_id: podId, config, sandbox_config: sandboxConfig },
      60_000,
    );
    return r.container_id;
  }
  async startContainer(id: string): Promise<void> {
    await this.call(this.runtime, 'StartContainer', { container_id: id }, 60_000);
  }
  async stopContainer(id: string, timeoutSec: number): Promise<void> {
    await this.call(this.runtime, 'StopContainer', { container_id: id, timeout: timeoutSec }, (timeoutSec + 30) * 1000);
  }
  async removeContainer(id: string): Promise<void> {
    await this.call(this.runtime, 'RemoveContainer', { container_id: id }, 60_000);
  }
  listContainers(podId?: string): Promise<ListContainersResponse> {
    return this.call(this.runtime, 'ListContainers', { filter: podId ? { pod_sandbox_id: podId } : {} }, 10_000);
  }
  containerStatus(id: string): Promise<ContainerStatusResponse> {
    return this.call(this.runtime, 'ContainerStatus', { container_id: id }, 10_000);
  }
  execSync(id: string, cmd: string[], timeoutSec = 20): Promise<ExecSyncResponse> {
    return this.call(this.runtime, 'ExecSync', { container_id: id, cmd, timeout: timeoutSec }, (timeoutSec + 10) * 1000);
  }
  containerStats(id: string): Promise<ContainerStatsResponse> {
    return this.call(this.runtime, 'ContainerStats', { container_id: id }, 20_000);
  }
}

/** Parses a CRI log file ("<time> <stream> <P|F> <text>" lines) into its streams. */
export function parseCriLog(text: string): { stdout: string; stderr: string } {
  const out = { stdout: '', stderr: '' };
  for (const line of text.split('\n')) {
    const m = /^\S+ (stdout|stderr) ([PF]) (.*)$/.exec(line);
    if (!m) continue;
    const stream = m[1] as 'stdout' | 'stderr';
    out[stream] += m[3] + (m[2] === 'F' ? '\n' : '');
  }
  return out;
}
