// `herald export`: the public site as static files, rendered by the built
// server on a free loopback port, with links made relative.
export { exportDirProblem, exportStaticSite } from './static-export';
