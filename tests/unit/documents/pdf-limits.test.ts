/**
 * The bounds of a document render without a browser: template limits (repetitions, output, time) counted
 * as the template runs and located in its source, the compile-time rules (no `log`, no inline partials), the
 * standard templates fitting the largest document the API allows, and retries of transient failures with
 * backoff (permanent ones are not retried).
 */
import { describe, expect, it } from 'vitest';
import { loadBuiltinTemplates, builtinTemplateName } from '../../../functions/adapters/pdf/builtin-templates';
import { MissingAssetError, retryTransient } from '../../../functions/adapters/pdf/render-document';
import { RenderTimeoutError } from '../../../functions/adapters/pdf/renderer';
import { compileTemplate, renderHtml, TemplateError, TemplateLimitError } from '../../../functions/adapters/pdf/template-engine';
import { DEFAULT_TEMPLATE_LIMITS, RenderBudget, WORST_CASE, worstCaseDocumentModel } from '../../../functions/adapters/pdf/template-limits';
import { checkTemplateBounded, createTemplateRenderer } from '../../../functions/adapters/pdf/template-worker';
import { sampleDocumentModel, type DocumentKind } from '../../../functions/domain/documents/print-model';

const limits = (overrides: Partial<typeof DEFAULT_TEMPLATE_LIMITS>) => ({ ...DEFAULT_TEMPLATE_LIMITS, ...overrides });

describe('template limits', () => {
  it('stops a template that repeats more than allowed, at the block that does it', () => {
    const source = '<p>{{number}}</p>\n{{#each lines}}\n  {{#each @root.lines}}{{#each @root.lines}}x{{/each}}{{/each}}\n{{/each}}';

    const error = (() => {
      try {
        renderHtml(source, worstCaseDocumentModel(), { limits: limits({ maxIterations: 10_000 }) });
      } catch (e) {
        return e;
      }
    })();

    expect(error).toBeInstanceOf(TemplateLimitError);
    expect(error).toMatchObject({ limit: 'iterations', errors: [{ line: 3, column: 24, message: expect.stringMatching(/more than 10000 times/) }] });
  });

  it('counts array sections ({{#lines}}) like {{#each}}', () => {
    expect(() =>
      renderHtml('{{#lines}}{{#@root.lines}}x{{/@root.lines}}{{/lines}}', worstCaseDocumentModel(), { limits: limits({ maxIterations: 1_000 }) }),
    ).toThrow(TemplateLimitError);
  });

  it('stops a template whose HTML grows past the limit', () => {
    expect(() => renderHtml('{{#each lines}}{{@root.notes}}{{/each}}', worstCaseDocumentModel(), { limits: limits({ maxOutputChars: 100_000 }) })).toThrow(
      expect.objectContaining({ limit: 'output' }),
    );
  });

  it('stops at the deadline, checked at every repetition', () => {
    let now = 0;
    const budget = new RenderBudget(limits({ timeMs: 100 }), () => now);

    budget.iteration(undefined, () => 'a');
    now = 101;

    expect(() => budget.iteration({ start: { line: 4, column: 2 } }, () => 'b')).toThrow(
      expect.objectContaining({ limit: 'time', errors: [{ line: 4, column: 3, message: 'the template takes longer than 100 ms to render' }] }),
    );
  });

  it('renders the standard templates of every kind with the largest document the API allows, within the limits', { timeout: 60_000 }, async () => {
    const builtins = await loadBuiltinTemplates();
    const renderer = createTemplateRenderer({ workers: 1 });
    try {
      for (const kind of ['invoice', 'proforma', 'credit_note', 'quote'] as DocumentKind[]) {
        const source = builtins.templates[builtinTemplateName(kind)];
        expect(await checkTemplateBounded(source, kind, { partials: builtins.partials, renderer }), kind).toEqual([]);
      }
      const html = await renderer.render(builtins.templates.invoice, worstCaseDocumentModel(), { partials: builtins.partials });
      expect(html.split('<tr>').length).toBeGreaterThan(WORST_CASE.lines);
    } finally {
      await renderer.close();
    }
  });

  it('renders in a worker and gives back the template errors as they are', { timeout: 60_000 }, async () => {
    const renderer = createTemplateRenderer({ workers: 1 });
    try {
      expect(await renderer.render('<p>{{client.name}}</p>', sampleDocumentModel())).toBe('<p>Núñez Ingeniería</p>');
      await expect(renderer.render('<p>{{client.nickname}}</p>', sampleDocumentModel())).rejects.toBeInstanceOf(TemplateError);
      await expect(
        renderer.render('{{#each lines}}{{#each @root.lines}}{{#each @root.lines}}x{{/each}}{{/each}}{{/each}}', worstCaseDocumentModel()),
      ).rejects.toMatchObject({ name: 'TemplateLimitError', limit: 'iterations' });
      // The worker is still there for the next render.
      expect(await renderer.render('<p>{{number}}</p>', sampleDocumentModel())).toBe('<p>INV-2026-0042</p>');
    } finally {
      await renderer.close();
    }
  });
});

describe('compile-time rules', () => {
  it('does not know the log helper', () => {
    expect(compileTemplate('{{log "x"}}')).toEqual({ ok: false, errors: [{ line: 1, column: 1, message: 'Unknown helper "log"' }] });
  });

  it('refuses inline partials and decorators (no recursion)', () => {
    const result = compileTemplate('<p>\n{{#*inline "loop"}}{{> loop}}{{/inline}}{{> loop}}</p>', { partials: {} });

    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]).toMatchObject({ line: 2, message: expect.stringMatching(/inline partials and decorators/) });
  });
});

describe('retryTransient', () => {
  const noJitter = () => 0.5;

  it('retries a transient failure with growing pauses, and answers the first success', async () => {
    const pauses: number[] = [];
    let calls = 0;

    const result = await retryTransient(
      async () => {
        calls++;
        if (calls < 3) throw new RenderTimeoutError(100);
        return 'pdf';
      },
      { attempts: 3, backoffMs: 500, sleep: async (ms) => void pauses.push(ms), random: noJitter },
    );

    expect(result).toBe('pdf');
    expect(calls).toBe(3);
    expect(pauses).toEqual([500, 2000]);
  });

  it('gives up after the last attempt with the last error', async () => {
    let calls = 0;
    const failing = retryTransient(
      async () => {
        calls++;
        throw new Error(`crash ${calls}`);
      },
      { attempts: 3, sleep: async () => undefined },
    );

    await expect(failing).rejects.toThrow('crash 3');
    expect(calls).toBe(3);
  });

  it('does not retry what the input gets wrong', async () => {
    let calls = 0;
    const failing = retryTransient(
      async () => {
        calls++;
        throw new MissingAssetError(['logo.png']);
      },
      { attempts: 3, sleep: async () => undefined },
    );

    await expect(failing).rejects.toBeInstanceOf(MissingAssetError);
    expect(calls).toBe(1);
  });
});
