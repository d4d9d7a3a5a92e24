// `npm run lint:folders`: the import cycles between the top-level folders of src/ (src/people, src/campaigns, …),
// each printed with the imports that close it. Exits 1 while any is left. The graph is dependency-cruiser's.
import { cruise } from 'dependency-cruiser';

const folderOf = (file) => /^src\/([^/]+)\//.exec(file)?.[1] ?? null;

const { output } = await cruise(['src'], {
  doNotFollow: { path: 'node_modules' },
  tsConfig: { fileName: 'tsconfig.json' },
  tsPreCompilationDeps: true,
  exclude: { path: '\\.spec\\.tsx?$' },
});

/** folder → folder → the imports (file → file) that make the edge */
const edges = new Map();
for (const m of output.modules) {
  const from = folderOf(m.source);
  for (const d of m.dependencies) {
    const to = folderOf(d.resolved);
    if (!from || !to || from === to) continue;
    if (!edges.has(from)) edges.set(from, new Map());
    const out = edges.get(from);
    if (!out.has(to)) out.set(to, []);
    out.get(to).push(`${m.source} → ${d.resolved}`);
  }
}

/** Tarjan's strongly connected components: each with more than one folder is a loop. */
function components() {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  let next = 0;
  const visit = (v) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of [...edges.keys()].sort()) if (!index.has(v)) visit(v);
  return found;
}

const loops = components();
if (!loops.length) {
  console.log('folder cycles: none');
  process.exit(0);
}
for (const loop of loops) {
  console.log(`folders in one loop: ${loop.join(', ')}`);
  for (const from of loop)
    for (const [to, imports] of edges.get(from) ?? [])
      if (loop.includes(to))
        console.log(`  ${from} → ${to}: ${imports.slice(0, 3).join('; ')}${imports.length > 3 ? ' …' : ''}`);
}
process.exit(1);
