/**
 * Document templates: Handlebars, in an isolated instance with our helpers only.
 *
 * Templates compile in strict mode (a name that does not exist in the model is an error, not an empty
 * string) and run with Handlebars' default protection against prototype access (never loosened here).
 * Output is HTML; whatever the HTML does is contained by the renderer's sandbox, not by this module.
 * A render is bounded (time, repetitions, output; template-limits.ts): production renders run in a worker
 * (template-worker.ts) that is also stopped from outside at the deadline. Templates cannot define inline
 * partials or decorators (no recursion), and Handlebars' `log` helper is not available to them.
 *
 * Helpers:
 *   {{money amount [currency]}}  locale-aware currency amount, exact from the decimal string
 *   {{decimal value}}            locale-aware decimal (quantities), exact
 *   {{percent rate}}             "21" -> "21%" / "21 %"
 *   {{date iso}}                 "2026-11-22" -> "22 Nov 2026" / "22 nov 2026" / "22 нояб. 2026 г."
 *   {{t key [name=value...]}}    document label in the model's locale ({name} placeholders filled)
 *   {{asset name}}               URL of an embedded asset (fonts.css, invoice.css, the model's images)
 *   {{color value [fallback]}}   a CSS hex colour, or the fallback when the value is anything else
 *   {{zero amount}}              true for a decimal string equal to zero ("0.00", "-0")
 *   {{inc n}}                    n + 1 (for 1-based line numbers from @index)
 *   {{eq a b}} {{ne a b}} {{not a}} {{and a b...}} {{or a b...}}
 */
import Handlebars from 'handlebars';
import { LocaleFormat, PrintModel, Texts, type DocumentModel } from '../../domain/documents';
import { assetUrl } from './assets';
import { TemplateError, type TemplateErrorDetail } from './template-errors';
import { DEFAULT_TEMPLATE_LIMITS, RenderBudget, type BlockLocation, type TemplateLimits } from './template-limits';

export { describeTemplateError, TemplateError, TemplateLimitError, type TemplateErrorDetail, type TemplateLimit } from './template-errors';

const { normalizeDocumentModel } = PrintModel;
const { formatDate, formatMoney, formatNumber, formatPercent, intlLocale, isZeroDecimal } = LocaleFormat;

/** The formatting the helpers use (pure, in the domain), still exported from here for the engine's callers. */
export { formatDate, formatMoney, formatNumber, formatPercent, intlLocale };

/** Renders the model; throws TemplateError (TemplateLimitError past a limit, default DEFAULT_TEMPLATE_LIMITS). */
export type CompiledTemplate = (model: DocumentModel, limits?: TemplateLimits) => string;
export type CompileResult = { ok: true; render: CompiledTemplate } | { ok: false; errors: TemplateErrorDetail[] };

export interface TemplateOptions {
  /** Partials the template may include with `{{> name}}` (e.g. the built-in ones). */
  partials?: Record<string, string>;
}

// ---------------------------------------------------------------------------------------------------
// Labels

/**
 * A label in the locale (English when the locale lacks it, the key itself when nobody has it): a key without a
 * dot is a document label (`number` is `document.number`); any other catalogue key works too (templates/i18n/).
 */
export function translate(key: string, locale: string | null | undefined, params: Record<string, unknown> = {}): string {
  return Texts.label(locale, key, params);
}

// ---------------------------------------------------------------------------------------------------
// The isolated Handlebars instance

type HelperOptions = Handlebars.HelperOptions & { data?: { root?: { locale?: string; currency?: string } } };

function rootOf(options: HelperOptions): { locale?: string; currency?: string } {
  return options?.data?.root ?? {};
}

/** Splits a helper's arguments from its trailing Handlebars options object. */
function split(args: unknown[]): { params: unknown[]; options: HelperOptions } {
  return { params: args.slice(0, -1), options: args[args.length - 1] as HelperOptions };
}

const hb = Handlebars.create();

const HELPERS: Record<string, (...args: unknown[]) => unknown> = {
  money(...args) {
    const { params, options } = split(args);
    const root = rootOf(options);
    const currency = typeof params[1] === 'string' && params[1] ? params[1] : (root.currency ?? 'EUR');
    return formatMoney(params[0], currency, intlLocale(root.locale));
  },
  decimal(...args) {
    const { params, options } = split(args);
    return formatNumber(params[0], intlLocale(rootOf(options).locale));
  },
  percent(...args) {
    const { params, options } = split(args);
    return formatPercent(params[0], intlLocale(rootOf(options).locale));
  },
  date(...args) {
    const { params, options } = split(args);
    return formatDate(params[0], intlLocale(rootOf(options).locale));
  },
  t(...args) {
    const { params, options } = split(args);
    return translate(String(params[0] ?? ''), rootOf(options).locale, { ...(options.hash ?? {}) });
  },
  asset(...args) {
    const { params } = split(args);
    return typeof params[0] === 'string' && params[0] ? assetUrl(params[0]) : '';
  },
  color(...args) {
    const { params } = split(args);
    const [value, fallback] = params;
    const hex = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/;
    if (typeof value === 'string' && hex.test(value)) return value;
    return typeof fallback === 'string' && hex.test(fallback) ? fallback : '';
  },
  zero(...args) {
    const { params } = split(args);
    return isZeroDecimal(params[0]);
  },
  inc(...args) {
    const { params } = split(args);
    return typeof params[0] === 'number' ? params[0] + 1 : params[0];
  },
  eq(...args) {
    const { params } = split(args);
    return params[0] === params[1];
  },
  ne(...args) {
    const { params } = split(args);
    return params[0] !== params[1];
  },
  not(...args) {
    const { params } = split(args);
    return !params[0];
  },
  and(...args) {
    const { params } = split(args);
    return params.every(Boolean);
  },
  or(...args) {
    const { params } = split(args);
    return params.some(Boolean);
  },
};
for (const [name, helper] of Object.entries(HELPERS)) hb.registerHelper(name, helper);

// `log` writes to the process's console: not for tenants' templates.
hb.unregisterHelper('log');

/** The render in progress (rendering is synchronous), whose limits `each` enforces. */
let activeBudget: RenderBudget | undefined;

/**
 * `each` (and array sections, which Handlebars runs through `each`) counted against the render's budget:
 * every iteration is a repetition, checked for time, count and output as it runs.
 */
const builtinEach = hb.helpers.each as (this: unknown, context: unknown, options: Handlebars.HelperOptions) => string;
hb.registerHelper('each', function (this: unknown, context: unknown, options: Handlebars.HelperOptions & { loc?: BlockLocation }) {
  const budget = activeBudget;
  if (!budget || !options?.fn) return builtinEach.call(this, context, options);
  const body = options.fn;
  const counted = (value: unknown, frame?: Handlebars.RuntimeOptions) => budget.iteration(options.loc, () => body(value, frame));
  return builtinEach.call(this, context, { ...options, fn: Object.assign(counted, body) });
});

const BUILTIN_HELPERS = new Set(['if', 'unless', 'each', 'with', 'lookup', 'blockHelperMissing', 'helperMissing']);
const KNOWN_HELPERS = new Set([...BUILTIN_HELPERS, ...Object.keys(HELPERS)]);

const COMPILE_OPTIONS: CompileOptions = {
  strict: true,
  preventIndent: true,
  knownHelpers: Object.fromEntries(Object.keys(HELPERS).map((name) => [name, true])),
};

const RUNTIME_OPTIONS = {
  allowProtoPropertiesByDefault: false,
  allowProtoMethodsByDefault: false,
  allowCallsToHelperMissing: false,
} as const;

// ---------------------------------------------------------------------------------------------------
// Compilation with located errors

type Node = { type: string; loc?: { start: { line: number; column: number } } } & Record<string, unknown>;

function errorDetail(error: unknown, partial?: string): TemplateErrorDetail {
  const err = error as { message?: string; lineNumber?: number; column?: number };
  let message = String(err?.message ?? error);
  let line = typeof err?.lineNumber === 'number' ? err.lineNumber : undefined;
  let column = typeof err?.column === 'number' ? err.column + 1 : undefined;
  const parse = /^Parse error on line (\d+):/.exec(message);
  if (parse) {
    line = Number(parse[1]);
    // "Parse error on line 3:\n<excerpt>\n---^\nExpecting ..., got 'EOF'": keep the useful part.
    const expecting = message.split('\n').slice(3).join(' ').trim();
    message = `Parse error on line ${line}${expecting ? `: ${expecting}` : ''}`;
  } else {
    // Handlebars appends " - line:column" to located errors.
    message = message.replace(/ - \d+:\d+$/, '').replace(/ in \[object \w+\]/, ' in the model');
  }
  return { line: line ?? 1, ...(column !== undefined ? { column } : {}), message, ...(partial ? { partial } : {}) };
}

/** Static checks Handlebars would only report while rendering: unknown helpers and partials. */
function checkNames(ast: hbs.AST.Program, partials: Set<string>, partial?: string): TemplateErrorDetail[] {
  const errors: TemplateErrorDetail[] = [];
  const at = (node: Node) => ({
    line: node.loc?.start.line ?? 1,
    column: (node.loc?.start.column ?? 0) + 1,
    ...(partial ? { partial } : {}),
  });
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    const n = node as Node;
    if (n.type === 'DecoratorBlock' || n.type === 'Decorator') {
      errors.push({ ...at(n), message: 'inline partials and decorators ({{#*inline}}, {{* ...}}) are not allowed in document templates' });
      return;
    }
    if (n.type === 'PartialStatement' || n.type === 'PartialBlockStatement') {
      const name = n.name as Node & { original?: unknown };
      if (name.type === 'PathExpression' || name.type === 'StringLiteral') {
        const partialName = String(name.original);
        if (!partials.has(partialName) && n.type === 'PartialStatement') {
          errors.push({ ...at(n), message: `Unknown partial "${partialName}"` });
        }
      }
    }
    if (n.type === 'MustacheStatement' || n.type === 'BlockStatement' || n.type === 'SubExpression') {
      const path = n.path as Node & { original?: unknown; parts?: unknown[]; data?: boolean };
      const params = (n.params as unknown[] | undefined) ?? [];
      const hash = n.hash as { pairs?: unknown[] } | undefined;
      const isCall = params.length > 0 || (hash?.pairs?.length ?? 0) > 0 || n.type === 'SubExpression';
      if (path.type === 'PathExpression' && isCall && !path.data && path.parts?.length === 1) {
        const name = String(path.original);
        if (!KNOWN_HELPERS.has(name)) errors.push({ ...at(n), message: `Unknown helper "${name}"` });
      }
    }
    for (const key of ['body', 'program', 'inverse', 'params', 'hash', 'pairs', 'value', 'path']) {
      if (key in n && key !== 'type') visit(n[key]);
    }
  };
  visit(ast);
  return errors;
}

function parse(source: string, partials: Set<string>, partial?: string): { ok: true; ast: hbs.AST.Program } | { ok: false; errors: TemplateErrorDetail[] } {
  let ast: hbs.AST.Program;
  try {
    ast = hb.parse(source);
  } catch (error) {
    return { ok: false, errors: [errorDetail(error, partial)] };
  }
  const errors = checkNames(ast, partials, partial);
  if (errors.length > 0) return { ok: false, errors };
  try {
    // Compiles fully now (Handlebars.compile is lazy), so compiler errors surface here, located.
    hb.precompile(ast, COMPILE_OPTIONS);
  } catch (error) {
    return { ok: false, errors: [errorDetail(error, partial)] };
  }
  return { ok: true, ast };
}

/**
 * Compiles a document template (and the partials it may use). Syntax errors, unknown helpers and
 * unknown partials come back as `{ ok: false, errors: [{ line, column?, message }] }`.
 * `render(model)` throws a TemplateError (with line and column) when the template uses a name the
 * model does not have.
 */
export function compileTemplate(source: string, options: TemplateOptions = {}): CompileResult {
  const partialSources = options.partials ?? {};
  const partialNames = new Set(Object.keys(partialSources));
  const errors: TemplateErrorDetail[] = [];
  const compiledPartials: Record<string, Handlebars.TemplateDelegate> = {};
  for (const [name, partialSource] of Object.entries(partialSources)) {
    const parsed = parse(partialSource, partialNames, name);
    if (!parsed.ok) errors.push(...parsed.errors);
    else compiledPartials[name] = hb.compile(parsed.ast, COMPILE_OPTIONS);
  }
  const parsed = parse(source, partialNames);
  if (!parsed.ok) errors.push(...parsed.errors);
  if (errors.length > 0 || !parsed.ok) return { ok: false, errors };

  const template = hb.compile(parsed.ast, COMPILE_OPTIONS);
  const render: CompiledTemplate = (model, limits = DEFAULT_TEMPLATE_LIMITS) => {
    const budget = new RenderBudget(limits);
    const outer = activeBudget;
    activeBudget = budget;
    try {
      const html = template(normalizeDocumentModel(model), { ...RUNTIME_OPTIONS, partials: compiledPartials });
      budget.checkOutput(html.length);
      budget.checkTime();
      return html;
    } catch (error) {
      if (error instanceof TemplateError) throw error;
      if (error instanceof RangeError && /call stack/i.test(error.message)) {
        throw new TemplateError('template failed: it nests too deeply', [{ line: 1, message: 'the template nests too deeply' }]);
      }
      const detail = errorDetail(error);
      throw new TemplateError(`template failed: ${detail.message} (line ${detail.line})`, [detail]);
    } finally {
      activeBudget = outer;
    }
  };
  return { ok: true, render };
}

/** Compiles a template or throws a TemplateError naming its first problem. */
export function compileOrThrow(source: string, options: TemplateOptions = {}): CompiledTemplate {
  const compiled = compileTemplate(source, options);
  if (!compiled.ok) {
    const first = compiled.errors[0];
    throw new TemplateError(`template does not compile: ${first?.message ?? 'unknown error'} (line ${first?.line ?? '?'})`, compiled.errors);
  }
  return compiled.render;
}

/**
 * Compiles and renders in one go, on this thread (within the limits, but blocking while it runs: production
 * renders go through the worker, template-worker.ts). Throws a TemplateError.
 */
export function renderHtml(source: string, model: DocumentModel, options: TemplateOptions & { limits?: TemplateLimits } = {}): string {
  return compileOrThrow(source, options)(model, options.limits);
}

/**
 * Checks a tenant's template before it is stored: it must compile (syntax, helpers and partials known)
 * and render the sample model of its kind without naming anything the model lacks. Only the partials'
 * names matter here, so callers without the built-in sources at hand may pass empty partials.
 * Returns the problems, located; an empty list when the template is fine.
 */
export function checkTemplate(source: string, sample: DocumentModel, options: TemplateOptions = {}): TemplateErrorDetail[] {
  const compiled = compileTemplate(source, options);
  if (!compiled.ok) return compiled.errors;
  try {
    compiled.render(sample);
    return [];
  } catch (error) {
    if (error instanceof TemplateError) return error.errors;
    throw error;
  }
}
