/**
 * Builds the one-line command that installs and enrolls the agent on a host,
 * run as root. In a subshell, it fetches the CA certificate without trusting
 * it, stops unless its SHA-256 fingerprint matches, fetches install-agent.sh
 * over TLS verified against that CA (sending the enrollment token, which the
 * download requires) and runs it. Its temporary directory is removed on exit.
 * Needs sh, curl, openssl and mktemp on the host.
 *
 * The token never appears in a program's arguments, which every local user sees
 * in the process list: `printf` is a shell builtin that writes the header file
 * curl reads with `-H @file`, and install-agent.sh gets it in PM_ENROLL_TOKEN.
 *
 * NOTE: the pinned CA verifies the console only while it uses a certificate from
 * the internal CA (the default). With an uploaded console certificate, drop the
 * --cacert option so curl uses the system trust store.
 *
 * Tokens, URLs and fingerprints contain no shell metacharacters, so they need no quoting.
 */
export function installCommand(options: { serverUrl: string; token: string; caFingerprint: string }): string {
  const { serverUrl, token, caFingerprint } = options;
  const steps = [
    'set -e',
    'd=$(mktemp -d)',
    `trap 'rm -rf "$d"' EXIT`,
    `curl -fsSk -o "$d/ca.pem" ${serverUrl}/pki/ca.pem`,
    'f=$(openssl x509 -in "$d/ca.pem" -noout -fingerprint -sha256 | cut -d= -f2 | tr -d : | tr A-F a-f)',
    `[ "$f" = ${caFingerprint} ] || { echo "CA fingerprint mismatch: the server sent $f; check the server URL and the fingerprint" >&2; exit 1; }`,
    `printf 'X-Enrollment-Token: %s\\n' ${token} > "$d/headers"`,
    `curl -fsS --cacert "$d/ca.pem" -H "@$d/headers" -o "$d/install-agent.sh" ${serverUrl}/downloads/install-agent.sh`,
    `PM_ENROLL_TOKEN=${token} sh "$d/install-agent.sh" --server ${serverUrl} --ca-fingerprint ${caFingerprint}`,
  ];
  return `(${steps.join('; ')})`;
}
