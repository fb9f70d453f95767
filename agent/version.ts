/**
 * Version the agent reports in `hello` and in its host facts.
 * NOTE: kept by hand in step with `version` in package.json, because the bundled
 * agent has no package.json beside it to read.
 */
export const AGENT_VERSION = '0.1.0';
