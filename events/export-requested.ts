import * as z from 'zod';
import { defineEvent } from './envelope';

export const exportRequested = defineEvent('export.requested', 'An export job was created pending; the export runner should build its file.', () => ({
  exportId: z.string(),
  report: z.string(),
}));
