import { build } from 'esbuild';
const [root, ...entries] = process.argv.slice(2);
for (const e of entries) {
const r = await build({ absWorkingDir: root, nodePaths: ['/work/wt/hosted/node_modules'], entryPoints: [e], bundle: true, minify: true, platform: 'node', format: 'esm', metafile: true, write: false, external: ['@aws-sdk/*','electrodb','nodemailer','libphonenumber-js','@smithy/*','decimal.js','qrcode','stripe', ...(process.env.IBAN ? ['ibantools'] : [])] });
console.log(root, e, (Object.values(r.metafile.outputs).reduce((a,o)=>a+o.bytes,0)/1024).toFixed(1));
}
