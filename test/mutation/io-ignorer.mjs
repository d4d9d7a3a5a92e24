// Leaves out of the mutation run the parts of the mutated modules that are SQL text (run by the repositories).
// The e2e specs test those against a real database; the unit specs cannot.
// Named one by one so that nothing pure is skipped by accident.
import { declareValuePlugin, PluginKind } from '@stryker-mutator/api/plugin';

const DATABASE_BOUND = new Map([
  // The lifecycle's moves (transition, cancel) live in AssignmentsRepository, outside the mutated files.
  [
    'src/assignments/withdrawal-reasons.ts',
    ['ELIGIBILITY_JOINS', 'selectsTouchpoint', 'TOUCHPOINT_SELECTED', 'INELIGIBILITY'],
  ],
]);

/** The name of a top-level function or const this node sits in, if any. */
function declaredName(path) {
  for (let p = path; p; p = p.parentPath) {
    if (p.isFunctionDeclaration() && p.node.id && isTopLevel(p)) return p.node.id.name;
    if (p.isVariableDeclarator() && p.node.id.type === 'Identifier' && isTopLevel(p.parentPath)) return p.node.id.name;
  }
  return undefined;
}

function isTopLevel(p) {
  const parent = p.parentPath;
  return parent?.isProgram() || (parent?.isExportNamedDeclaration() && parent.parentPath?.isProgram());
}

function relativeFile(path) {
  const file = path.hub?.file?.opts?.filename ?? '';
  return file.replaceAll('\\', '/').replace(/^.*?\/(src\/)/, '$1');
}

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'database-bound', {
    shouldIgnore(path) {
      const names = DATABASE_BOUND.get(relativeFile(path));
      const name = names && declaredName(path);
      return name && names.includes(name) ? `${name} runs SQL: tested by the e2e specs on PostgreSQL` : undefined;
    },
  }),
];
