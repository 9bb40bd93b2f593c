import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseByteSize } from '../../src/config';

describe('loadConfig', () => {
  it('has defaults that run on a laptop', () => {
    expect(loadConfig({})).toMatchObject({
      PORT: 3000,
      DATA_DIR: './data',
      LOG_LEVEL: 'info',
      DEFAULT_COUNTRY: 'FR',
    });
  });

  it('reads sizes and numbers', () => {
    expect(loadConfig({ PORT: '8080', MAX_UPLOAD_BYTES: '200mb', DEFAULT_COUNTRY: 'gb' })).toMatchObject({
      PORT: 8080,
      MAX_UPLOAD_BYTES: 200 * 1024 * 1024,
      DEFAULT_COUNTRY: 'GB',
    });
  });

  it('names each variable at fault', () => {
    try {
      loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', MAX_BODY_BYTES: 'lots' });
      throw new Error('should have failed');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      for (const name of [
        'PORT="abc"',
        'DATABASE_URL="mysql://x"',
        'LOG_LEVEL="loud"',
        'MAX_BODY_BYTES="lots"',
      ])
        expect(message).toContain(name);
    }
  });

  it('says what is wrong with a number out of range or a code that names no country', () => {
    expect(() => loadConfig({ PORT: '99999' })).toThrow(/PORT="99999": expected 65535 or less/);
    expect(() => loadConfig({ DEFAULT_COUNTRY: 'XX' })).toThrow(
      /DEFAULT_COUNTRY="XX": expected a country code/,
    );
  });

  it('parses byte sizes', () => {
    expect(parseByteSize('512kb')).toBe(524288);
    expect(parseByteSize('1.5 MB')).toBe(1572864);
    expect(parseByteSize('2g')).toBe(2 * 1024 ** 3);
    expect(parseByteSize('a lot')).toBeUndefined();
  });
});
