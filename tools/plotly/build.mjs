// Bundle entry.js into one minified script that defines window.Plotly, as plotly.min.js does.
// Usage: node build.mjs OUTFILE
import { readFile } from 'node:fs/promises';
import { build } from 'esbuild';

// MapLibre's style sheet is imported for its side effect: put it in the page as plotly.min.js
// does, rather than leave a separate file nobody loads.
const inlineStyleSheets = {
    name: 'inline-style-sheets',
    setup(context) {
        context.onLoad({ filter: /\.css$/ }, async (args) => {
            const css = await readFile(args.path, 'utf8');
            return {
                loader: 'js',
                contents: `if (typeof document !== 'undefined') {
                    var s = document.createElement('style');
                    s.textContent = ${JSON.stringify(css)};
                    document.head.appendChild(s);
                }`,
            };
        });
    },
};

await build({
    entryPoints: [new URL('./entry.js', import.meta.url).pathname],
    outfile: process.argv[2],
    bundle: true,
    minify: true,
    format: 'iife',
    globalName: 'Plotly',
    target: 'es2016',
    define: { global: 'window', 'define.amd': 'false' },
    plugins: [inlineStyleSheets],
    logLevel: 'warning',
});
