import { lazyScreen } from './lazy-screen';

/*
 * The screens of a citizen's service, each in its own chunk, loaded on demand by ServiceScreens
 * (itself on demand) and fetched ahead, in this order, by preloadScreensOnDemand
 * (screens-on-demand.ts).
 */

export const ServicesScreen = lazyScreen(() =>
  import('../screens/ServicesScreen').then((m) => m.ServicesScreen),
);
export const FormScreen = lazyScreen(() =>
  import('../screens/FormScreen').then((m) => m.FormScreen),
);
export const ReviewScreen = lazyScreen(() =>
  import('../screens/ReviewScreen').then((m) => m.ReviewScreen),
);
export const ConsentScreen = lazyScreen(() =>
  import('../screens/ConsentScreen').then((m) => m.ConsentScreen),
);
export const ReceiptScreen = lazyScreen(() =>
  import('../screens/ReceiptScreen').then((m) => m.ReceiptScreen),
);
export const StatusScreen = lazyScreen(() =>
  import('../screens/StatusScreen').then((m) => m.StatusScreen),
);
