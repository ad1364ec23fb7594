/** How a print in the browser fails: the deadline, the sandbox, the bounds of a PDF, a browser that died. */

export class RenderTimeoutError extends Error {
  constructor(ms: number) {
    super(`PDF render exceeded ${ms} ms`);
    this.name = 'RenderTimeoutError';
  }
}

export class SandboxViolationError extends Error {
  /** Requests refused during the render that failed. */
  blocked: string[] = [];
  constructor(message: string) {
    super(message);
    this.name = 'SandboxViolationError';
  }
}

/** A PDF past its bounds (pages or bytes): the same document would be again. */
export class PdfLimitError extends Error {
  constructor(
    readonly limit: 'pages' | 'bytes',
    message: string,
  ) {
    super(message);
    this.name = 'PdfLimitError';
  }
}

/** The browser died during the render (crash, kill, out of memory): another try on a fresh one may work. */
export class BrowserCrashedError extends Error {
  constructor(cause: unknown) {
    super(`the browser stopped during the render: ${String((cause as Error)?.message ?? cause).split('\n')[0]}`, { cause });
    this.name = 'BrowserCrashedError';
  }
}
