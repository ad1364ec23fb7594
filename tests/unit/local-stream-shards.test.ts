import { describe, expect, it } from 'vitest';
import { readableShards } from '../../infra/local/stream-poller';

/** Which shards the local poller reads, in order, when a shard splits (a parent closes, children open). */
describe('readableShards', () => {
  const parent = { ShardId: 'shard-1' };
  const childA = { ShardId: 'shard-2a', ParentShardId: 'shard-1' };
  const childB = { ShardId: 'shard-2b', ParentShardId: 'shard-1' };

  it('reads a parent before its children, and the children only once the parent is read to its end', () => {
    expect(readableShards([parent, childA, childB], {})).toEqual(['shard-1']);
    expect(readableShards([parent, childA, childB], { 'shard-1': { after: '10' } })).toEqual(['shard-1']);
    expect(readableShards([parent, childA, childB], { 'shard-1': { after: '12', closed: true } })).toEqual(['shard-2a', 'shard-2b']);
  });

  it('reads children whose parent left the stream (trimmed), and skips shards read to their end', () => {
    expect(readableShards([childA, childB], {})).toEqual(['shard-2a', 'shard-2b']);
    expect(readableShards([childA, childB], { 'shard-2a': { closed: true } })).toEqual(['shard-2b']);
  });
});
