// `herald doctor`: after deploying, one line per thing that bites (checks.ts),
// with the server's side of it answered through a token only the CLI can
// leave (probe.ts).
export { backupsCheck, clockCheck, diskCheck, runDoctor, smtpCheck, trustProxyCheck, type DoctorCheck, type Verdict } from './checks';
export { isProbe, issueProbe, probeHeader, type ProbeView } from './probe';
