import { RESP_TYPES, type RedisClientType } from 'redis';
import { type BlobKv, chunks } from './blobs.ts';

/**
 * A blob view as one Redis hash (`hashKey`), field = key. Values go out as Buffers and come back as
 * Buffers (a type mapping: node-redis would otherwise decode them as UTF-8 text and mangle them).
 * Many keys are read or written with one HMGET or HSET per chunk, the chunks pipelined on one
 * connection. Give it the client that waits for Redis: a failure is thrown, never read as "nothing".
 */
export function redisBlobs(client: RedisClientType, hashKey: string): BlobKv {
  const binary = client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
  const asBuffer = (value: Uint8Array) =>
    Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return {
    async getMany(keys) {
      if (keys.length === 0) return [];
      const replies = await Promise.all(chunks(keys).map((slice) => binary.hmGet(hashKey, slice)));
      return replies.flat().map((value) => value ?? undefined);
    },
    async setMany(entries) {
      if (entries.length === 0) return;
      await Promise.all(
        chunks(entries).map((slice) =>
          client.hSet(
            hashKey,
            slice.map(([key, value]): [string, Buffer] => [key, asBuffer(value)]),
          ),
        ),
      );
    },
    async delete(key) {
      await client.hDel(hashKey, key);
    },
    async keys() {
      return client.hKeys(hashKey);
    },
    async bytes() {
      // SAMPLES 0: every field, not an estimate from five of them.
      return (await client.memoryUsage(hashKey, { SAMPLES: 0 })) ?? 0;
    },
  };
}
