/** The runtime-spec version tsrunc implements (state.json, hooks, features). */
export const OCI_VERSION = '1.3.0';
