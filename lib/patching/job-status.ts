/** Host states after which nothing more happens unless a late agent result arrives. */
export const TERMINAL_HOST_STATES = ['succeeded', 'failed', 'timed-out', 'cancelled'] as const;

/** Host states that still wait for the agent. */
export const OPEN_HOST_STATES = ['pending', 'sent', 'running'] as const;
