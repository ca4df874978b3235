// Stylesheets are bundled by webpack (css-loader, extracted to a file); importing one yields nothing.
declare module '*.css';
