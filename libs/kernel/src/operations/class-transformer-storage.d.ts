// class-transformer ships no typings for its CJS storage entry; class-validator-jsonschema needs the same instance.
declare module 'class-transformer/cjs/storage.js' {
  import type { MetadataStorage } from 'class-transformer/types/MetadataStorage.js';
  export const defaultMetadataStorage: MetadataStorage;
}
