import { lazy, useSyncExternalStore } from 'react';
import type { ComponentType, ReactElement } from 'react';

/** How many on-demand screens arrived after a render had asked for them (and was suspended). */
let screensLoaded = 0;
const loadListeners = new Set<() => void>();

/**
 * The number of on-demand screens that arrived while shown as a placeholder, as React state: a
 * component that reads it is rendered again when such a screen's code arrives (audio guidance
 * then reads the new screen's prompt, which was not on the page while the screen was on its
 * way). Screens fetched ahead in the background change nothing.
 */
export function useScreensLoaded(): number {
  return useSyncExternalStore(
    (listener) => {
      loadListeners.add(listener);
      return () => loadListeners.delete(listener);
    },
    () => screensLoaded,
  );
}

/** A screen whose code is fetched on demand (its own chunk), and can be fetched ahead. */
export interface LazyScreen<P extends object> {
  (props: P): ReactElement;
  /** Fetches the screen's chunk now; later renders then never suspend. */
  preload(): Promise<void>;
}

/**
 * Wraps a dynamic import of one screen. Until the chunk has arrived the screen suspends
 * (React.lazy, shown by the nearest Suspense boundary); once `preload` has fetched it, the
 * screen renders at once, so a screen fetched ahead of time never flashes a placeholder and its
 * prompt is on the page when audio guidance reads it. A failed fetch is retried on the next use.
 */
export function lazyScreen<P extends object>(load: () => Promise<ComponentType<P>>): LazyScreen<P> {
  let loaded: ComponentType<P> | undefined;
  let loading: Promise<ComponentType<P>> | undefined;
  // A render asked for the screen before its code was here (the placeholder was shown).
  let awaited = false;
  const fetchScreen = (): Promise<ComponentType<P>> => {
    loading ??= load().then(
      (component) => {
        loaded = component;
        if (awaited) {
          screensLoaded += 1;
          for (const listener of loadListeners) listener();
        }
        return component;
      },
      (error: unknown) => {
        loading = undefined;
        throw error;
      },
    );
    return loading;
  };
  // React calls this the first time the screen is rendered before its code is here.
  const Suspending = lazy(() => {
    awaited = true;
    return fetchScreen().then((component) => ({ default: component }));
  });
  const Screen = (props: P): ReactElement => {
    const Loaded = loaded;
    return Loaded ? <Loaded {...props} /> : <Suspending {...props} />;
  };
  return Object.assign(Screen, { preload: () => fetchScreen().then(() => undefined) });
}

/**
 * What stands in for a screen whose code, or the runtime it needs (kiosk-runtime.ts), is still on
 * its way: an empty screen, marked busy.
 */
export function ScreenLoading(): ReactElement {
  return <main className="screen" data-screen="loading" aria-busy="true" />;
}
