export * from './subjects';
export * from './commands';
export * from './operational-events';
