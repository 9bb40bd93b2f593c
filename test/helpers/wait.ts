/** Polls until `check` returns a value other than undefined, or fails after `ms`. */
export async function waitFor<T>(check: () => Promise<T | undefined>, ms = 20_000, every = 10): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, every));
  }
}
