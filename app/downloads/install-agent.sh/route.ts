// GET /downloads/install-agent.sh – installs, enrolls and starts the agent on a host; needs an enrollment token or a console sign-in.
import { downloadRoute } from '@/lib/downloads/download-route';

export const dynamic = 'force-dynamic';

export const GET = downloadRoute('install-agent.sh');
