import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeDestinationConformance } from '../destination.conformance.ts';
import { createLocalDestination } from './local.destination.ts';

describeDestinationConformance('local', async () => {
  const basePath = await mkdtemp(join(tmpdir(), 'dbackup-local-conformance-'));
  return {
    destination: createLocalDestination({ basePath: join(basePath, 'backups') }),
    cleanup: () => rm(basePath, { recursive: true, force: true }),
  };
  // Local disk lists without pages; the hint only makes the suite's many-files listing run here too.
}, { pageSizeHint: 5 });
