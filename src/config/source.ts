/** Source (etcd v3) connection settings from flags, environment, or a calicoctl config. Credentials stay in memory. */
import { MigrateError } from '../errors.js';
import { readUserFile } from '../util/user-file.js';
import { readCalicoApiConfig } from './calicoctl-config.js';

export interface EtcdSettings {
  endpoints: string[];
  /** PEM contents, never paths written anywhere. */
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  username?: string;
  password?: string;
}

export interface SourceFlags {
  'etcd-endpoints'?: string;
  'etcd-ca-cert'?: string;
  'etcd-cert'?: string;
  'etcd-key'?: string;
  'etcd-username'?: string;
  'etcd-password'?: string;
  'source-config'?: string;
}

function readPem(file: string, flag: string): Buffer {
  return readUserFile({ label: flag, path: file, hint: 'pass the path of a PEM file readable by this user' }, 'binary');
}

function splitEndpoints(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Flags win over the config file; oclif already fills flags from their ETCD_* environment variables. */
export function resolveSourceSettings(flags: SourceFlags): EtcdSettings {
  const fromFile = flags['source-config'] ? readCalicoApiConfig(flags['source-config'], 'etcdv3', '--source-config') : undefined;
  if (fromFile?.etcdDiscoverySrv && !fromFile.etcdEndpoints && !flags['etcd-endpoints']) {
    throw new MigrateError('USAGE', `--source-config ${flags['source-config']}: etcdDiscoverySrv is not supported`, {
      hint: 'set spec.etcdEndpoints (or --etcd-endpoints) to the etcd client URLs',
    });
  }
  // Credentials in an endpoint URL (user:password@) become the user name and password: they are
  // never sent as part of the address, and never printed.
  const parsed = splitEndpoints(flags['etcd-endpoints'] ?? fromFile?.etcdEndpoints ?? '').map(splitUserinfo);
  const endpoints = parsed.map((p) => p.endpoint);
  const inUrl = parsed.find((p) => p.username !== undefined);
  if (endpoints.length === 0) {
    throw new MigrateError('USAGE', 'no etcd endpoints: the source datastore is not configured', {
      hint: 'pass --etcd-endpoints (or set ETCD_ENDPOINTS), or --source-config with a calicoctl etcdv3 config',
    });
  }
  for (const ep of endpoints) {
    if (!/^https?:\/\/[^/\s]+\/?$/.test(ep)) {
      throw new MigrateError('USAGE', `etcd endpoint "${redactUrl(ep)}" is not a URL like http://10.0.0.1:2379`, {
        hint: 'list etcd client URLs separated by commas',
      });
    }
  }
  const pem = (flag: keyof SourceFlags, fileField?: string, inline?: string): Buffer | undefined => {
    if (flags[flag]) return readPem(flags[flag], `--${flag}`);
    if (fileField) return readPem(fileField, '--source-config');
    return inline ? Buffer.from(inline) : undefined;
  };
  return {
    endpoints,
    ca: pem('etcd-ca-cert', fromFile?.etcdCACertFile, fromFile?.etcdCACert),
    cert: pem('etcd-cert', fromFile?.etcdCertFile, fromFile?.etcdCert),
    key: pem('etcd-key', fromFile?.etcdKeyFile, fromFile?.etcdKey),
    username: flags['etcd-username'] ?? fromFile?.etcdUsername ?? inUrl?.username,
    password: flags['etcd-password'] ?? fromFile?.etcdPassword ?? inUrl?.password,
  };
}

/** Endpoints (or any text holding them) as they may appear in plans and logs: no userinfo. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/\s]*@/g, '//');
}

/** `http://user:pass@host:2379` → the URL without its userinfo, and the credentials it held (percent-decoded). */
export function splitUserinfo(ep: string): { endpoint: string; username?: string; password?: string } {
  const m = /^(https?:\/\/)([^@/\s]*)@(.*)$/.exec(ep);
  if (!m) return { endpoint: ep };
  const [user, ...rest] = (m[2] ?? '').split(':');
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  return { endpoint: `${m[1]}${m[3]}`, username: user ? decode(user) : undefined, password: rest.length ? decode(rest.join(':')) : undefined };
}
