// What a setup call fails with, whether it throws or rejects: for a driver's `setupError`.

/**
 * Runs `setup` and resolves with the error it threw or rejected with, or undefined.
 *
 * @example
 * setupError: (options) => errorOf(() => createMetricsMiddleware(options as Options)),
 */
export async function errorOf(setup: () => unknown): Promise<unknown> {
  try {
    await setup();
    return undefined;
  } catch (error) {
    return error;
  }
}
