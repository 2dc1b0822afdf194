// Placeholder; the real-server harness replaces this.
export default async function setup(): Promise<void> {}
