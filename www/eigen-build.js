// The eigen-shells' eigensolver is in a second build of the module (src/web/eigensolver.rs),
// loaded the first time they run; the page's build calls it as `bayesEigen.symmetricEigen`.

let eigenBuild = null;

/** Loads the eigen build once; a failure names the file, and the next call tries again. */
export function loadEigenBuild() {
  eigenBuild ??= (async () => {
    const url = new URL(globalThis.bayesWasmModule.eigenFile, import.meta.url);
    try {
      const glue = await import('./bayes-renorm-eigen.js');
      await glue.default({ module_or_path: url });
      globalThis.bayesEigen = { symmetricEigen: glue.symmetricEigen };
    } catch (error) {
      eigenBuild = null;
      throw new Error(`could not load the eigensolver (${url.pathname}): ${error.message ?? error}`);
    }
  })();
  return eigenBuild;
}
