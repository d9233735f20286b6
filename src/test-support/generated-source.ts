import type { DatabaseSource, DumpHandle } from '../ports/source.port.ts';
import { generatedData, type GeneratedDataOptions } from './generated-data.ts';

/**
 * A database source whose "dump" is generated data: for testing the backup pipeline's own
 * behaviour (fan-out, failures, sidecars) without a database server. It honours the port's
 * contract: the stream ends only on success and is destroyed with the error otherwise.
 */
export function createGeneratedSource(size: number, options: GeneratedDataOptions = {}): DatabaseSource {
  return {
    engine: 'postgres',
    displayName: 'generated test data',
    testConnection: async () => ({ engine: 'postgres', serverVersion: '0.0-test' }),
    listDatabases: async () => ['generated'],
    async dump(): Promise<DumpHandle> {
      const stream = generatedData(size, options);
      const done = new Promise<void>((resolve, reject) => {
        stream.once('end', resolve);
        stream.once('error', reject);
      });
      done.catch(() => undefined);
      return { stream, done, engine: 'postgres', serverVersion: '0.0-test', tool: 'generator', toolVersion: '1' };
    },
    async restore() {
      throw new Error('The generated source cannot be restored into.');
    },
  };
}
