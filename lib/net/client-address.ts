/** Request header in which server.ts passes the socket's peer address to Next.js. */
export const CLIENT_ADDRESS_HEADER = 'x-pm-client-address';
