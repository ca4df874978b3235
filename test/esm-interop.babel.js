// Jest runs CommonJS, but NestJS 12 ships ES modules. Babel turns them into CommonJS for the
// test runtime; a module that declares its own `require` (createRequire(import.meta.url)) would
// then shadow the `require` the transform inserts, so that binding is renamed first.
module.exports = function renameLocalRequire() {
  return {
    visitor: {
      Program(path) {
        if (path.scope.hasOwnBinding('require')) path.scope.rename('require', '__esmRequire');
      },
    },
  };
};
