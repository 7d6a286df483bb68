// `npm run lint` part two: imports run one way, ui -> engine (the UI sees it only through
// protocol.ts, which the worker shares) -> rlhf -> model -> data, and never in a circle.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'data-imports-only-data',
      severity: 'error',
      from: { path: '^src/data/' },
      to: { path: '^src/(model|rlhf|engine|ui)/' },
    },
    {
      name: 'model-is-below-rlhf',
      severity: 'error',
      from: { path: '^src/model/' },
      to: { path: '^src/(rlhf|engine|ui)/' },
    },
    {
      name: 'rlhf-is-below-the-engine',
      severity: 'error',
      from: { path: '^src/rlhf/' },
      to: { path: '^src/(engine|ui)/' },
    },
    { name: 'the-engine-is-below-the-ui', severity: 'error', from: { path: '^src/engine/' }, to: { path: '^src/ui/' } },
    {
      name: 'the-ui-sees-the-engine-through-protocol',
      severity: 'error',
      from: { path: '^src/ui/' },
      to: { path: '^src/engine/', pathNot: '^src/engine/protocol\\.ts$' },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
  },
};
