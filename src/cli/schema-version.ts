// The version of the JSON documents `--json` prints (schemas/*.schema.json):
// raised when a field changes meaning or goes away, not when one is added.
export const SCHEMA_VERSION = 1;
