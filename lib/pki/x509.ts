// The polyfill must be evaluated before @peculiar/x509 loads, so it is imported first.
// Import @peculiar/x509 through this module only; importing it directly from a module
// that loads earlier fails with "tsyringe requires a reflect polyfill".
import './reflect-metadata-polyfill';

import { cryptoProvider } from '@peculiar/x509';

import { webcrypto } from './webcrypto';

cryptoProvider.set(webcrypto);

export * from '@peculiar/x509';
