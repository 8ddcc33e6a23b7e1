// The Node flags Herald's server runs with: `npm start`, the tests and the
// benchmark start it so, and so should a service manager
// (`node --max-old-space-size=256 scripts/serve.mjs`).
//
// The heap limit is a budget, not a need. Herald's live heap is 20 to 40 MiB;
// by default Node sets the limit from the machine's memory (4 GB on 24 GiB),
// and with a limit that high V8 lets garbage grow the heap about fourfold
// before it collects. At 256 MB it collects sooner: the process stays near
// 160 MiB under load, with room to spare for what the server holds.
export const serverNodeFlags = ['--max-old-space-size=256'];
