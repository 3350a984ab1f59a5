/**
 * S3 for local runs: s3proxy (Maven Central, Apache-2.0) on its filesystem backend. Every object is a plain
 * file `<dir>/<bucket>/<key>`, written before the request is answered, so what a client was told is stored
 * survives a crash of anything. s3proxy handles the aws-chunked uploads of the AWS SDK v3 and pyarrow.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { classArchive } from '../jvm-class-archive.ts';
import { ensureMavenJars, javaBinary, LOCALSTACK_DIR } from '../maven-jars.ts';
import { answersHttp, type StoreProcess, startStoreProcess } from './server-process.ts';

export interface S3StoreOptions {
  /** Objects live under `<dataDir>/<bucket>/`. */
  dataDir: string;
  logFile: string;
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}

export async function startS3Store(options: S3StoreOptions): Promise<StoreProcess> {
  const jars = await ensureMavenJars({
    pom: path.join(LOCALSTACK_DIR, 's3proxy', 'pom.xml'),
    cacheName: 's3proxy-jars',
    expectJar: 's3proxy',
    what: 's3proxy, the local S3 store (about 55 MB)',
    say: options.onProgress,
  });
  mkdirSync(options.dataDir, { recursive: true });
  const java = javaBinary();
  const archive = classArchive({ dir: path.join(jars, 'class-archives'), name: 's3proxy', java });
  const store = startStoreProcess({
    name: 'S3 store (s3proxy)',
    command: java,
    args: (port) => {
      // https://github.com/gaul/s3proxy/wiki/Storage-backend-examples (filesystem); no authorization locally.
      const properties = path.join(options.dataDir, '..', 's3proxy.properties');
      writeFileSync(
        properties,
        [
          `s3proxy.endpoint=http://127.0.0.1:${port}`,
          's3proxy.authorization=none',
          'jclouds.provider=filesystem',
          `jclouds.filesystem.basedir=${options.dataDir}`,
          'jclouds.identity=stratus-local',
          'jclouds.credential=stratus-local',
          '',
        ].join('\n'),
      );
      return [
        ...archive.jvmArgs,
        '-Xmx256m',
        '-XX:+UseSerialGC',
        '-XX:TieredStopAtLevel=1',
        '-DLOG_LEVEL=warn',
        '-jar',
        path.join(jars, 's3proxy-4.1.0-jar-with-dependencies.jar'),
        '--properties',
        properties,
      ];
    },
    logFile: options.logFile,
    ready: answersHttp,
    signal: options.signal,
  });
  // A start that failed was stopped: its dump (if any) is dropped.
  store.then(
    (started) => void started.exited.then((how) => archive.settle(how)),
    () => archive.settle('failed'),
  );
  return store;
}
