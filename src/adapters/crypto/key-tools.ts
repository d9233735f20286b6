import type { KeyTools } from '../../ports/key-tools.port.ts';
import { fingerprintOf, generateEncryptionKey } from './encryption-key.ts';
import { parseKeyFile, serializeKeyFile } from './key-file.ts';

export const keyTools: KeyTools = {
  generate: generateEncryptionKey,
  fingerprint: fingerprintOf,
  exportFile: serializeKeyFile,
  importFile: parseKeyFile,
};
