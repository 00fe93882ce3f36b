import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { setTimeout } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidPathError, PathNotFoundError, type StorageDriver } from '../storage-driver.js';

/** A driver for one test, with what removes whatever it stored. */
export interface DriverFixture {
  driver: StorageDriver;
  cleanup(): Promise<void>;
}

async function bytes(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

/** The behaviour every StorageDriver must have; each driver's test file runs it. */
export function describeStorageDriver(name: string, makeDriver: () => Promise<DriverFixture>): void {
  describe(`StorageDriver conformance: ${name}`, () => {
    let fixture: DriverFixture;
    let driver: StorageDriver;
    beforeEach(async () => {
      fixture = await makeDriver();
      driver = fixture.driver;
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    it('stores and replaces small objects whole', async () => {
      await driver.putContent('/a/b/link', Buffer.from('first'));
      expect((await driver.getContent('/a/b/link')).toString()).toBe('first');
      await driver.putContent('/a/b/link', Buffer.from('second'));
      expect((await driver.getContent('/a/b/link')).toString()).toBe('second');
      await driver.putContent('/a/empty', Buffer.alloc(0));
      expect((await driver.getContent('/a/empty')).length).toBe(0);
    });

    it('answers PathNotFoundError for an absent object', async () => {
      await expect(driver.getContent('/nothing/here')).rejects.toBeInstanceOf(PathNotFoundError);
      await expect(driver.reader('/nothing/here')).rejects.toBeInstanceOf(PathNotFoundError);
    });

    it('reads a range of an object', async () => {
      await driver.putContent('/blob', Buffer.from('0123456789'));
      expect(await text(await driver.reader('/blob'))).toBe('0123456789');
      expect(await text(await driver.reader('/blob', 3))).toBe('3456789');
      expect(await text(await driver.reader('/blob', 2, 4))).toBe('2345');
      expect(await text(await driver.reader('/blob', 5, 0))).toBe('');
    });

    it('appends streams, creating the object, and reports the new size', async () => {
      expect(await driver.append('/uploads/x/data', Readable.from([Buffer.from('abc')]))).toBe(3);
      expect(await driver.append('/uploads/x/data', Readable.from([Buffer.from('de'), Buffer.from('f')]))).toBe(6);
      expect((await driver.getContent('/uploads/x/data')).toString()).toBe('abcdef');
      expect(await driver.append('/uploads/x/data', Readable.from([]))).toBe(6);
    });

    it('appends a large stream intact', async () => {
      const chunks = Array.from({ length: 40 }, () => randomBytes(256 * 1024));
      expect(await driver.append('/big', Readable.from(chunks))).toBe(40 * 256 * 1024);
      expect((await bytes(await driver.reader('/big'))).equals(Buffer.concat(chunks))).toBe(true);
    });

    it('leaves an object as it was when an appended stream fails', async () => {
      await driver.append('/partial', Readable.from([Buffer.from('keep')]));
      // Bytes of the failing chunk reach storage before the error does.
      const failing = Readable.from(
        (async function* () {
          yield Buffer.from('lost');
          await setTimeout(50);
          throw new Error('client went away');
        })(),
      );
      await expect(driver.append('/partial', failing)).rejects.toThrow('client went away');
      expect((await driver.getContent('/partial')).toString()).toBe('keep');
    });

    it('stats objects and directories, and undefined for nothing', async () => {
      await driver.putContent('/dir/file', Buffer.from('12345'));
      const file = await driver.stat('/dir/file');
      expect(file).toMatchObject({ size: 5, isDirectory: false });
      expect(file?.modified).toBeInstanceOf(Date);
      expect((await driver.stat('/dir'))?.isDirectory).toBe(true);
      expect(await driver.stat('/dir/none')).toBeUndefined();
      expect(await driver.stat('/dir/file/below')).toBeUndefined();
    });

    it('lists the entries of a directory, [] when absent', async () => {
      await driver.putContent('/list/a/link', Buffer.from('1'));
      await driver.putContent('/list/b', Buffer.from('2'));
      expect((await driver.list('/list')).sort()).toEqual(['a', 'b']);
      expect(await driver.list('/list/none')).toEqual([]);
      await driver.putContent('/deep/a/b/c/link', Buffer.from('3'));
      expect(await driver.list('/deep')).toEqual(['a']);
    });

    it('moves an object into place, replacing what is there', async () => {
      await driver.append('/uploads/u/data', Readable.from([Buffer.from('content')]));
      await driver.putContent('/blobs/x/data', Buffer.from('old'));
      await driver.move('/uploads/u/data', '/blobs/x/data');
      expect((await driver.getContent('/blobs/x/data')).toString()).toBe('content');
      expect(await driver.stat('/uploads/u/data')).toBeUndefined();
      await driver.append('/uploads/v/data', Readable.from([Buffer.from('new')]));
      await driver.move('/uploads/v/data', '/fresh/parent/data');
      expect((await driver.getContent('/fresh/parent/data')).toString()).toBe('new');
      await expect(driver.move('/uploads/none', '/elsewhere')).rejects.toBeInstanceOf(PathNotFoundError);
    });

    it('moves a whole directory, nested objects and all', async () => {
      await driver.putContent('/blobs/ab/abc/data', Buffer.from('blob'));
      await driver.putContent('/blobs/ab/abc/nested/more', Buffer.from('more'));
      await driver.move('/blobs/ab/abc', '/blobs/ab/abc.gc');
      expect(await driver.stat('/blobs/ab/abc/data')).toBeUndefined();
      expect((await driver.getContent('/blobs/ab/abc.gc/data')).toString()).toBe('blob');
      expect((await driver.getContent('/blobs/ab/abc.gc/nested/more')).toString()).toBe('more');
      expect((await driver.list('/blobs/ab')).sort()).toEqual(['abc.gc']);
      await driver.move('/blobs/ab/abc.gc', '/blobs/ab/abc');
      expect((await driver.getContent('/blobs/ab/abc/data')).toString()).toBe('blob');
    });

    it('deletes objects and whole directories; nothing there is fine', async () => {
      await driver.putContent('/del/a/link', Buffer.from('1'));
      await driver.putContent('/del/b', Buffer.from('2'));
      await driver.delete('/del/b');
      expect(await driver.stat('/del/b')).toBeUndefined();
      await driver.delete('/del');
      expect(await driver.stat('/del/a/link')).toBeUndefined();
      expect(await driver.list('/del')).toEqual([]);
      await driver.delete('/del');
    });

    it('refuses relative paths and paths with ..', async () => {
      for (const path of ['relative/path', '/a/../../escape', '..', '/..']) {
        await expect(driver.getContent(path)).rejects.toBeInstanceOf(InvalidPathError);
        await expect(driver.putContent(path, Buffer.from('x'))).rejects.toBeInstanceOf(InvalidPathError);
        await expect(driver.stat(path)).rejects.toBeInstanceOf(InvalidPathError);
        await expect(driver.list(path)).rejects.toBeInstanceOf(InvalidPathError);
        await expect(driver.delete(path)).rejects.toBeInstanceOf(InvalidPathError);
        await expect(driver.move('/a', path)).rejects.toBeInstanceOf(InvalidPathError);
      }
    });
  });
}
