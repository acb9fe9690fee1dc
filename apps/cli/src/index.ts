// Public surface of the CLI (for tests).
export { type Alias, aliasFilePath, getAlias, listAliases, setAlias } from './aliases.ts';
export { describeFilter, eventNamesOf } from './commands/events.ts';
export { PROGRAM_NAME } from './output.ts';
export { buildProgram } from './program.ts';
