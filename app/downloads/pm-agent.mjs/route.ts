// GET /downloads/pm-agent.mjs – the host agent bundled into one file; needs an enrollment token or a console sign-in.
import { downloadRoute } from '@/lib/downloads/download-route';

export const dynamic = 'force-dynamic';

export const GET = downloadRoute('pm-agent.mjs');
