/**
 * Reading and writing whole files by URI: `file:///…` on the local disk, `s3://bucket/key` on S3 (the AWS
 * emulator or any endpoint from configuration). Iceberg's data and metadata files are immutable, so whole-file
 * puts are all the sink needs.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadBucketCommand,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';

export interface FileIO {
  write(uri: string, bytes: Uint8Array | string, contentType?: string): Promise<void>;
  /** The file's bytes, or undefined when there is none. */
  read(uri: string): Promise<Uint8Array | undefined>;
}

/** Files on the local disk, addressed by `file://` URIs. Writes land whole (temp file + rename). */
export class LocalFileIO implements FileIO {
  async write(uri: string, bytes: Uint8Array | string): Promise<void> {
    const file = fileURLToPath(uri);
    await mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, bytes);
    await rename(temp, file);
  }

  async read(uri: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(fileURLToPath(uri));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }
}

/** `file:///abs/dir` of a local directory. */
export function fileUri(dir: string): string {
  return pathToFileURL(path.resolve(dir)).href;
}

/** Objects in S3; the bucket is created on first use when missing (the emulator starts empty). */
export class S3FileIO implements FileIO {
  private readonly ensured = new Map<string, Promise<void>>();

  constructor(private readonly s3: S3Client) {}

  async write(uri: string, bytes: Uint8Array | string, contentType?: string): Promise<void> {
    const { bucket, key } = parseS3Uri(uri);
    await this.ensureBucket(bucket);
    await this.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentType: contentType }),
    );
  }

  async read(uri: string): Promise<Uint8Array | undefined> {
    const { bucket, key } = parseS3Uri(uri);
    try {
      const result = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return await result.Body!.transformToByteArray();
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchBucket')
        return undefined;
      throw error;
    }
  }

  ensureBucket(bucket: string): Promise<void> {
    let pending = this.ensured.get(bucket);
    if (!pending) {
      pending = (async () => {
        try {
          await this.s3.send(new HeadBucketCommand({ Bucket: bucket }));
        } catch {
          const region = await this.s3.config.region();
          await this.s3
            .send(
              new CreateBucketCommand({
                Bucket: bucket,
                // us-east-1 is the one region that refuses a location constraint.
                CreateBucketConfiguration:
                  region === 'us-east-1' ? undefined : { LocationConstraint: region as never },
              }),
            )
            .catch((error: { name?: string }) => {
              if (error.name !== 'BucketAlreadyOwnedByYou') throw error;
            });
        }
      })();
      pending.catch(() => this.ensured.delete(bucket));
      this.ensured.set(bucket, pending);
    }
    return pending;
  }
}

export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const match = /^s3a?:\/\/([^/]+)\/(.*)$/.exec(uri);
  if (!match) throw new Error(`not an s3:// URI: ${uri}`);
  return { bucket: match[1]!, key: match[2]! };
}
