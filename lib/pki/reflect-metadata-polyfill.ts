/**
 * The part of the Reflect metadata API that tsyringe, a dependency of @peculiar/x509,
 * requires at load time: `defineMetadata`, `getOwnMetadata` and `getMetadata`. It is
 * installed only when no full polyfill (such as the reflect-metadata package) is
 * present. Metadata lives in a WeakMap keyed by target object, then property key.
 */
type MetadataByKey = Map<unknown, unknown>;

const metadataStore = new WeakMap<object, Map<PropertyKey | undefined, MetadataByKey>>();

function metadataFor(target: object, propertyKey: PropertyKey | undefined, create: boolean): MetadataByKey | undefined {
  let byProperty = metadataStore.get(target);
  if (!byProperty) {
    if (!create) {
      return undefined;
    }
    byProperty = new Map();
    metadataStore.set(target, byProperty);
  }

  let byKey = byProperty.get(propertyKey);
  if (!byKey && create) {
    byKey = new Map();
    byProperty.set(propertyKey, byKey);
  }
  return byKey;
}

function defineMetadata(metadataKey: unknown, value: unknown, target: object, propertyKey?: PropertyKey): void {
  metadataFor(target, propertyKey, true)?.set(metadataKey, value);
}

function getOwnMetadata(metadataKey: unknown, target: object, propertyKey?: PropertyKey): unknown {
  return metadataFor(target, propertyKey, false)?.get(metadataKey);
}

/** Looks up metadata on the target, then along its prototype chain. */
function getMetadata(metadataKey: unknown, target: object, propertyKey?: PropertyKey): unknown {
  for (let current: object | null = target; current !== null; current = Object.getPrototypeOf(current) as object | null) {
    const byKey = metadataFor(current, propertyKey, false);
    if (byKey?.has(metadataKey)) {
      return byKey.get(metadataKey);
    }
  }
  return undefined;
}

function hasOwnMetadata(metadataKey: unknown, target: object, propertyKey?: PropertyKey): boolean {
  return metadataFor(target, propertyKey, false)?.has(metadataKey) ?? false;
}

function getOwnMetadataKeys(target: object, propertyKey?: PropertyKey): unknown[] {
  return [...(metadataFor(target, propertyKey, false)?.keys() ?? [])];
}

function deleteMetadata(metadataKey: unknown, target: object, propertyKey?: PropertyKey): boolean {
  return metadataFor(target, propertyKey, false)?.delete(metadataKey) ?? false;
}

// The reflect-metadata package (loaded by @simplewebauthn/server's copy of @peculiar/x509)
// adopts an existing Reflect metadata API as its fallback provider, and that provider
// calls hasOwnMetadata, getOwnMetadataKeys and deleteMetadata too.
const reflect = Reflect as unknown as Record<string, unknown>;
if (typeof reflect.getMetadata !== 'function') {
  reflect.defineMetadata = defineMetadata;
  reflect.getOwnMetadata = getOwnMetadata;
  reflect.getMetadata = getMetadata;
  reflect.hasOwnMetadata = hasOwnMetadata;
  reflect.getOwnMetadataKeys = getOwnMetadataKeys;
  reflect.deleteMetadata = deleteMetadata;
}

export {};
