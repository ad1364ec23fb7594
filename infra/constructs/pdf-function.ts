import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { Annotations, Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AppFunction, type AppFunctionProps } from './app-function';
import { CHROMIUM_PACKAGE, ChromiumLayer } from './chromium-layer';
import { DepsLayer } from './deps-layer';

export const PDF_MIN_MEMORY_MB = 2048;
export const PDF_DEFAULT_TIMEOUT_SECONDS = 60;

/** Where the bundle's copies of the built-in templates and fonts sit inside the function (/var/task). */
export const TASK_ROOT = '/var/task';
export const FONT_PACKAGE = '@fontsource/noto-sans';

export type PdfFunctionProps = Omit<AppFunctionProps, 'architecture' | 'layers' | 'externalModules' | 'commandHooks' | 'memorySize' | 'timeout'>;

/**
 * A function of infra/functions.ts with `pdf: true`: an AppFunction that renders HTML to PDF with headless Chromium.
 *  - Chromium is NOT bundled: `@sparticuz/chromium` stays external and comes from the ChromiumLayer
 *    (one per stack), so no other function ever carries it.
 *  - The function runs on the layer's architecture (the npm package's binary is x86_64).
 *  - It has the shared deps layer as well, for the packages the code loads on first use (a runtime `require`
 *    that esbuild cannot see, so no bundle carries them).
 *  - At least 2048 MB (Chromium gets CPU with memory), 60 s by default, 1 GiB of /tmp for the inflated binary.
 *  - The built-in templates (`templates/`) and the Noto Sans fonts the renderer embeds are copied next to the
 *    bundle: /var/task/templates and /var/task/node_modules/@fontsource/noto-sans (where the renderer's
 *    `createRequire(import.meta.url)` finds them); TEMPLATES_DIR and FONT_PACKAGE_DIR say so explicitly.
 */
export class PdfFunction extends Construct {
  readonly app: AppFunction;
  readonly chromium: ChromiumLayer;

  constructor(scope: Construct, id: string, props: PdfFunctionProps) {
    super(scope, id);
    const { spec, projectRoot, name } = props;
    this.chromium = ChromiumLayer.of(this, projectRoot);

    if (spec.memoryMb !== undefined && spec.memoryMb < PDF_MIN_MEMORY_MB) {
      Annotations.of(this).addWarning(`${name}: memoryMb ${spec.memoryMb} raised to ${PDF_MIN_MEMORY_MB} (Chromium)`);
    }
    const fontDir = dirname(createRequire(join(projectRoot, 'package.json')).resolve(`${FONT_PACKAGE}/package.json`));
    const templatesDir = join(projectRoot, 'templates');
    const fontTarget = `node_modules/${FONT_PACKAGE}`;

    this.app = new AppFunction(this, 'Pdf', {
      ...props,
      architecture: this.chromium.architecture,
      // the shared layer too: the bundle carries its packages, but what loads on first use with a runtime
      // `require` (the QR drawer, the phone library, the Idempotency-Key utility) is found there, never bundled
      layers: [this.chromium.layer, DepsLayer.of(this, projectRoot).layer],
      memorySize: Math.max(spec.memoryMb ?? PDF_MIN_MEMORY_MB, PDF_MIN_MEMORY_MB),
      timeout: Duration.seconds(spec.timeoutSeconds ?? PDF_DEFAULT_TIMEOUT_SECONDS),
      ephemeralStorageSize: props.ephemeralStorageSize ?? 1024,
      externalModules: [CHROMIUM_PACKAGE],
      environment: {
        TEMPLATES_DIR: `${TASK_ROOT}/templates`,
        FONT_PACKAGE_DIR: `${TASK_ROOT}/${fontTarget}`,
        ...props.environment,
      },
      commandHooks: {
        beforeBundling: () => [],
        beforeInstall: () => [],
        // Local bundling runs these with bash; the paths are absolute on this machine.
        afterBundling: (_inputDir: string, outputDir: string) => [
          `mkdir -p "${outputDir}/templates" "${outputDir}/${fontTarget}/files"`,
          `cp -R "${templatesDir}/." "${outputDir}/templates/"`,
          `cp "${fontDir}/package.json" "${fontDir}/LICENSE" "${fontDir}/400.css" "${fontDir}/700.css" "${outputDir}/${fontTarget}/"`,
          `cp "${fontDir}"/files/*-400-normal.woff2 "${fontDir}"/files/*-700-normal.woff2 "${outputDir}/${fontTarget}/files/"`,
        ],
      },
    });
  }
}
