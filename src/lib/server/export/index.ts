// `herald export`: the public site as static files, rendered by the built
// server on a free loopback port, with links made relative; and `herald
// mirror` (MIRROR_DIR), the same kept fresh after every change.
export { exportDirProblem, exportStaticSite } from './static-export';
export { runMirror, type MirrorRun } from './mirror';
