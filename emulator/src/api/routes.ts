import { download } from '../files/download.route.ts';
import { createFolderV2, deleteV2, getMetadata } from '../files/item.routes.ts';
import { listFolder, listFolderContinue, listFolderGetLatestCursor } from '../files/list.routes.ts';
import {
  uploadSessionAppend,
  uploadSessionAppendV2,
  uploadSessionFinish,
  uploadSessionFinishBatch,
  uploadSessionFinishBatchCheck,
  uploadSessionFinishBatchV2,
  uploadSessionStart,
  uploadSessionStartBatch,
} from '../files/session.routes.ts';
import { upload } from '../files/upload.route.ts';
import { revokeToken } from '../oauth/revoke.route.ts';
import { getCurrentAccount, getSpaceUsage } from '../users/users.routes.ts';
import type { RouteDef } from './route.ts';

/** Every `/2/<route>` the emulator serves (API and content hosts share the path space). */
export const API_ROUTES: Map<string, RouteDef> = new Map(
  [
    revokeToken,
    getCurrentAccount,
    getSpaceUsage,
    listFolder,
    listFolderContinue,
    listFolderGetLatestCursor,
    getMetadata,
    createFolderV2,
    deleteV2,
    upload,
    uploadSessionStart,
    uploadSessionStartBatch,
    uploadSessionAppendV2,
    uploadSessionAppend,
    uploadSessionFinish,
    uploadSessionFinishBatchV2,
    uploadSessionFinishBatch,
    uploadSessionFinishBatchCheck,
    download,
  ].map((r) => [r.name, r]),
);
