// Herald's HTTP server around Astro's handler (server.ts): start-up, built
// files from memory, the render cache answered before Astro, unknown paths by
// index lookup, floods of 404s slowed, SIGTERM drain; the headers every
// response carries, TRUST_PROXY, caching policies and ETags; and the helpers
// pages and endpoints use to read forms and JSON and to answer.
export { HttpError, apiPath, componentChanges, componentIds, componentJson, deliveryJson, findIn, handle, hasAny, incidentJson, jsonResponse, onlyKeys, optionalBoolean, otherMethods, readJsonObject, updateJson } from './api-json';
export { consoleForm, errorsFrom, formBodyLimit, localInstant, peekForm, readForm, refusedFormPage, safeNext, selectedComponentChanges, templateFields, templateInput } from './forms';
export { etagMatches, etagOf, etagResponse, publicCachePolicy } from './http-cache';
export { publicApiPaths } from './public-routes';
export { RenderCache, answerFrom, cachedAnswer, contentVersion, pickEncoding, type CachedAnswer } from './render-cache';
export { securityHeaders, strictTransportSecurity } from './security-headers';
export { shutdownGracefully } from './shutdown';
export { badgeHeaders, publicApiHeaders, statuspageRoute } from './statuspage-api';
export { incidentEndpoints, maintenanceEndpoints, updateFrom } from './incident-routes';
export { feedAnswer } from './feed-answer';
