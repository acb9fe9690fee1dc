// Public surface of the CLI (for tests).
export { type Alias, aliasFilePath, getAlias, listAliases, setAlias } from './aliases.ts';
export { describeFilter, eventNamesOf } from './commands/events.ts';
export { buildProgram, PROGRAM_NAME } from './program.ts';
