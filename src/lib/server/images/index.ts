// The image privacy proxy: images in markdown are shown through signed /img/
// paths (links.ts), fetched by the server within limits and never from private
// networks (fetch.ts), checked by their bytes (types.ts), kept on disk within a
// bound (cache.ts), and answered (proxy.ts). Visitors' browsers never ask a third party.
export { imagePathPrefix, proxiedImages } from './links';
export { imageProxy, imageResponse } from './proxy';
