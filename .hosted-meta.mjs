import { build } from 'esbuild';
for (const e of process.argv.slice(2)) {
const r = await build({ entryPoints: [e], bundle: true, minify: true, platform: 'node', format: 'esm', metafile: true, write: false, external: ['@aws-sdk/*','electrodb','nodemailer','libphonenumber-js','@smithy/*','decimal.js'] });
console.log(e, 'total', (Object.values(r.metafile.outputs).reduce((a,o)=>a+o.bytes,0)/1024).toFixed(1));
}
