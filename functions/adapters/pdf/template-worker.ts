/**
 * Template renders off the main thread: Handlebars is synchronous, so a template that loops for seconds
 * would hold the whole process (locally, the whole stack). Renders run in worker threads instead, each
 * within its limits (template-limits.ts, checked as it runs), and the worker is also terminated from
 * outside when a render outlives its deadline or its memory: the caller gets a TemplateLimitError in
 * seconds and the process keeps answering meanwhile.
 *
 * The worker runs this very module (`import.meta.url`): from source under tsx in development and tests,
 * and as the function's own bundle on Lambda, where this module's code is part of the bundle. Compiled
 * templates are kept per worker (by source and partials), so a warm worker does not compile again.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { PrintModel, type DocumentKind, type DocumentModel } from '../../domain/documents';
import { compileOrThrow, compileTemplate, type CompiledTemplate, type TemplateOptions } from './template-engine';
import { TemplateError, TemplateLimitError, type TemplateErrorDetail, type TemplateLimit } from './template-errors';
import { DEFAULT_TEMPLATE_LIMITS, WORST_CASE, worstCaseDocumentModel, type TemplateLimits } from './template-limits';

const WORKER_FLAG = 'crmTemplateWorker';
/**
 * A render stops itself when its CPU time runs out; one still running after this many times its limit in
 * wall time (plus a grace), on however busy a machine, is stopped from outside: its worker is terminated.
 */
const WALL_FACTOR = 5;
const GRACE_MS = 5_000;
/** Heap of one worker: a template that builds more than this fails as a limit, not the process. */
const WORKER_HEAP_MB = 256;
const CACHED_TEMPLATES = 32;

interface Job {
  id: number;
  source: string;
  partials: Record<string, string>;
  model: DocumentModel;
  limits: TemplateLimits;
}

type Failure = { name: string; message: string; errors?: TemplateErrorDetail[]; limit?: TemplateLimit };
type Reply = { id: number; ok: true; html: string } | { id: number; ok: false; error: Failure } | { ready: true };

// ---------------------------------------------------------------------------------------------------
// Inside the worker

if (!isMainThread && (workerData as Record<string, unknown> | null)?.[WORKER_FLAG] === true) serve();

function serve(): void {
  const port = parentPort!;
  const compiled = new Map<string, CompiledTemplate>();
  const digest = (text: string) => createHash('sha1').update(text).digest('base64');
  port.on('message', (job: Job) => {
    let reply: Reply;
    try {
      const key = `${digest(job.source)}:${digest(JSON.stringify(job.partials))}`;
      let render = compiled.get(key);
      if (render) compiled.delete(key);
      else render = compileOrThrow(job.source, { partials: job.partials });
      compiled.set(key, render);
      if (compiled.size > CACHED_TEMPLATES) compiled.delete(compiled.keys().next().value!);
      reply = { id: job.id, ok: true, html: render(job.model, job.limits) };
    } catch (error) {
      const e = error as Partial<TemplateError & TemplateLimitError>;
      reply = {
        id: job.id,
        ok: false,
        error: {
          name: e?.name ?? 'Error',
          message: String(e?.message ?? error),
          ...(e?.errors ? { errors: e.errors } : {}),
          ...(e?.limit ? { limit: e.limit } : {}),
        },
      };
    }
    port.postMessage(reply);
  });
  // Loading this module (and, in a bundle, the whole function) takes a while: no job's clock runs meanwhile.
  port.postMessage({ ready: true } satisfies Reply);
}

function revive(failure: Failure): Error {
  if (failure.name === 'TemplateLimitError' && failure.limit) {
    const detail = failure.errors?.[0];
    return new TemplateLimitError(failure.limit, detail?.message ?? failure.message, detail ?? {});
  }
  if (failure.name === 'TemplateError') return new TemplateError(failure.message, failure.errors ?? []);
  const error = new Error(failure.message);
  error.name = failure.name;
  return error;
}

// ---------------------------------------------------------------------------------------------------
// The caller's side

export interface TemplateRenderOptions extends TemplateOptions {
  limits?: TemplateLimits;
}

export interface TemplateRenderer {
  /** The HTML of the model through the template; rejects with TemplateError (TemplateLimitError past a limit). */
  render(source: string, model: DocumentModel, options?: TemplateRenderOptions): Promise<string>;
  /** Renders running in a worker, and waiting for one. */
  stats(): { running: number; queued: number };
  close(): Promise<void>;
}

interface Pending {
  job: Job;
  resolve(html: string): void;
  reject(error: Error): void;
}

interface Lane {
  worker?: Worker;
  /** The worker has loaded and listens. */
  ready?: boolean;
  current?: Pending;
  /** The current job was handed to the worker (its clock runs). */
  posted?: boolean;
  timer?: NodeJS.Timeout;
}

/** How a worker is started: this module, with tsx's loader when it is TypeScript source. */
function startWorker(): Worker {
  const url = new URL(import.meta.url);
  const execArgv = url.pathname.endsWith('.ts') ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href] : [];
  return new Worker(url, {
    workerData: { [WORKER_FLAG]: true },
    execArgv,
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: 32 },
    stdout: false,
    stderr: false,
  });
}

/**
 * A few workers (default 2) sharing one queue. A render's deadline starts when a worker takes it, not
 * while it waits; one template past its limits never holds up the others longer than its own deadline.
 */
export function createTemplateRenderer(options: { workers?: number; limits?: TemplateLimits } = {}): TemplateRenderer {
  const lanes: Lane[] = Array.from({ length: Math.max(1, options.workers ?? 2) }, () => ({}));
  const queue: Pending[] = [];
  let nextId = 1;
  let closed = false;

  function finish(lane: Lane, outcome: { html: string } | { error: Error }): void {
    const pending = lane.current;
    clearTimeout(lane.timer);
    lane.current = undefined;
    lane.posted = false;
    lane.timer = undefined;
    lane.worker?.unref();
    if (pending) {
      if ('html' in outcome) pending.resolve(outcome.html);
      else pending.reject(outcome.error);
    }
    pump();
  }

  function kill(lane: Lane): void {
    const worker = lane.worker;
    lane.worker = undefined;
    lane.ready = false;
    void worker?.terminate();
  }

  function workerOf(lane: Lane): Worker {
    if (lane.worker) return lane.worker;
    const worker = startWorker();
    lane.worker = worker;
    lane.ready = false;
    worker.on('message', (reply: Reply) => {
      if (lane.worker !== worker) return;
      if ('ready' in reply) {
        lane.ready = true;
        pump();
        return;
      }
      if (lane.current?.job.id !== reply.id) return;
      finish(lane, reply.ok ? { html: reply.html } : { error: revive(reply.error) });
    });
    worker.on('error', (error: Error & { code?: string }) => {
      if (lane.worker !== worker) return;
      lane.worker = undefined;
      lane.ready = false;
      finish(lane, {
        error:
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new TemplateLimitError('memory', `the template needs more than ${WORKER_HEAP_MB} MB to render`)
            : new Error(`the template worker failed: ${error.message}`),
      });
    });
    worker.on('exit', () => {
      if (lane.worker !== worker) return;
      lane.worker = undefined;
      lane.ready = false;
      if (lane.current) finish(lane, { error: new Error('the template worker stopped unexpectedly') });
    });
    return worker;
  }

  function pump(): void {
    for (const lane of lanes) {
      if (closed) return;
      if (!lane.current) {
        if (queue.length === 0) continue;
        lane.current = queue.shift()!;
      } else if (lane.posted) continue;
      const pending = lane.current;
      let worker: Worker;
      try {
        worker = workerOf(lane);
      } catch (error) {
        finish(lane, { error: error as Error });
        continue;
      }
      worker.ref();
      // A worker still loading takes its job when it says it is ready (pump runs again then).
      if (!lane.ready) continue;
      worker.postMessage(pending.job);
      lane.posted = true;
      const { timeMs } = pending.job.limits;
      lane.timer = setTimeout(
        () => {
          // It did not stop by itself (a single step that never returns): stop its worker.
          kill(lane);
          finish(lane, { error: new TemplateLimitError('time', `the template takes longer than ${timeMs} ms to render`) });
        },
        timeMs * WALL_FACTOR + GRACE_MS,
      );
    }
  }

  return {
    render(source, model, renderOptions = {}) {
      if (closed) return Promise.reject(new Error('the template renderer is closed'));
      return new Promise<string>((resolve, reject) => {
        const job: Job = {
          id: nextId++,
          source,
          partials: renderOptions.partials ?? {},
          model,
          limits: renderOptions.limits ?? options.limits ?? DEFAULT_TEMPLATE_LIMITS,
        };
        queue.push({ job, resolve, reject });
        pump();
      });
    },
    stats() {
      return { running: lanes.filter((lane) => lane.current).length, queued: queue.length };
    },
    async close() {
      closed = true;
      for (const pending of queue.splice(0)) pending.reject(new Error('the template renderer is closed'));
      await Promise.all(
        lanes.map(async (lane) => {
          const worker = lane.worker;
          lane.worker = undefined;
          if (lane.current) finish(lane, { error: new Error('the template renderer is closed') });
          await worker?.terminate();
        }),
      );
    },
  };
}

let shared: TemplateRenderer | undefined;

/** The process's template renderer (its workers start on the first render). */
export function templateRenderer(): TemplateRenderer {
  shared ??= createTemplateRenderer();
  return shared;
}

/**
 * Checks a tenant's template before it is stored: it must compile (syntax, helpers and partials known),
 * render the sample document of its kind without naming anything the model lacks, and render the largest
 * document the API allows (500 lines, every text at its longest) within the limits of a render. Only the
 * partials' names matter, so callers without the built-in sources at hand may pass empty partials.
 * Returns the problems, located; an empty list when the template is fine.
 */
export async function checkTemplateBounded(
  source: string,
  kind: DocumentKind,
  options: TemplateRenderOptions & { renderer?: TemplateRenderer } = {},
): Promise<TemplateErrorDetail[]> {
  const compiled = compileTemplate(source, options);
  if (!compiled.ok) return compiled.errors;
  const renderer = options.renderer ?? templateRenderer();
  const worstCase = `the largest document allowed (${WORST_CASE.lines} lines, ${WORST_CASE.description}-character descriptions)`;
  for (const [model, name] of [
    [PrintModel.sampleDocumentModel({ kind }), 'the sample document'],
    [worstCaseDocumentModel(kind), worstCase],
  ] as const) {
    try {
      await renderer.render(source, model, options);
    } catch (error) {
      if (error instanceof TemplateLimitError) return error.errors.map((e) => ({ ...e, message: `${e.message}, with ${name}` }));
      if (error instanceof TemplateError) return error.errors;
      throw error;
    }
  }
  return [];
}
