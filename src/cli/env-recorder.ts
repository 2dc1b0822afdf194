/**
 * Records which environment variables a config module reads while it is evaluated, for the config
 * cache's key (config-cache.ts). A `.ts` or `.js` config reads `process.env` itself, so for the
 * duration of the evaluation `process.env` is a Proxy over the real environment object that notes
 * every name looked up; it is put back in `finally`. Only the CLI may touch `process.env`, so this
 * lives here and is handed to the config loader.
 */
import type { EnvRecorder } from '../config/config-cache.js';

export const recordEnvReads: EnvRecorder = async (evaluate) => {
  const real = process.env;
  const reads: Record<string, string | undefined> = {};
  let complete = true;
  const note = (key: string | symbol): void => {
    if (typeof key === 'string' && !Object.hasOwn(reads, key)) reads[key] = real[key];
  };
  const recording = new Proxy(real, {
    get(target, key) { note(key); return Reflect.get(target, key); },
    has(target, key) { note(key); return Reflect.has(target, key); },
    getOwnPropertyDescriptor(target, key) { note(key); return Reflect.getOwnPropertyDescriptor(target, key); },
    ownKeys(target) { complete = false; return Reflect.ownKeys(target); },
    set(target, key, value) { complete = false; return Reflect.set(target, key, value); },
    defineProperty(target, key, attributes) { complete = false; return Reflect.defineProperty(target, key, attributes); },
    deleteProperty(target, key) { complete = false; return Reflect.deleteProperty(target, key); },
  });
  process.env = recording;
  try {
    const value = await evaluate();
    return { value, reads, complete };
  } finally {
    // Only if nothing else replaced it meanwhile.
    if (process.env === recording) process.env = real;
  }
};
