/**
 * Classic Outlook on Windows runs events.js in a JavaScript-only runtime that Microsoft documents
 * as ES2016. The build lowers the syntax (webpack.config.js); this module supplies the few later
 * built-ins the bundled shared code calls (`globalThis`, `Promise.prototype.finally`,
 * `Object.entries`/`values`). It is the first module of the events entry, so it runs before any
 * other; where the built-ins exist (browsers, new Outlook, Mac) it changes nothing.
 * test/addin/event-bundle.test.ts runs the built file in a context without them.
 */
type Bag = Record<string, unknown>;

// Without globalThis, `this` of a non-strict function call is the global object.
const root: Bag = typeof globalThis !== 'undefined' ? globalThis : (Function('return this')() as Bag);

function define(target: object, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, writable: true, configurable: true, enumerable: false });
}

if (!('globalThis' in root)) define(root, 'globalThis', root);

if (typeof (Promise.prototype as { finally?: unknown }).finally !== 'function') {
  define(Promise.prototype, 'finally', function <T>(this: Promise<T>, onFinally?: (() => unknown) | null) {
    const after = () => Promise.resolve(typeof onFinally === 'function' ? onFinally() : undefined);
    return this.then(
      (value) => after().then(() => value),
      (reason: unknown) =>
        after().then(() => {
          throw reason;
        }),
    );
  });
}

if (typeof (Object as { entries?: unknown }).entries !== 'function') {
  define(Object, 'entries', (o: object) => Object.keys(o).map((k) => [k, (o as Bag)[k]]));
}
if (typeof (Object as { values?: unknown }).values !== 'function') {
  define(Object, 'values', (o: object) => Object.keys(o).map((k) => (o as Bag)[k]));
}

export {};
