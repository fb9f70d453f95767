import type { Logger } from '@/lib/log';

const NEXT_REDIRECT_FETCH_FAILED = 'failed to get redirect response';

/**
 * Turns one Next.js error message into a debug line. After a server action
 * redirects, Next.js fetches the target page from the web listener's bind address
 * with the user's cookies, to send it along with the redirect. Here that fetch
 * always fails: Node does not trust the internal CA that signed the console's
 * certificate, and the certificate does not name the bind address. Next.js then
 * lets the browser load the target, which is what happens anyway, but prints the
 * failure with a stack on every redirecting form. Making the fetch succeed would
 * not help either, because it would come from the server's own address, which the
 * session binding refuses.
 *
 * NOTE: this matches the message text of Next.js 16's action handler; another
 * version may word it differently, and then the stack shows again.
 */
export function quietRedirectPrefetchErrors(log: Logger): void {
  const original = console.error.bind(console);
  console.error = (...args: unknown[]) => {
    if (args[0] === NEXT_REDIRECT_FETCH_FAILED) {
      const cause = (args[1] as { cause?: { code?: unknown } } | undefined)?.cause?.code;
      log.debug({ cause }, 'Next.js did not fetch a redirect target itself; the browser loads it');
      return;
    }
    original(...args);
  };
}
