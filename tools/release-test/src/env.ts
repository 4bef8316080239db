// npm_config_* and friends leak in from a parent `pnpm test`; the release commands must see
// only the configuration the test gives them, as a maintainer's shell would.
const INHERITED = /^(npm_|pnpm_|turbo_|vitest|node_options$|node_env$|init_cwd$)/i;

/** process.env without package-manager, vitest and turbo settings, plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!INHERITED.test(key)) env[key] = value;
  }
  return { ...env, ...extra };
}
